/**
 * The control API refuses what a web page on the machine could send (issue 14
 * item 11): a page's simple cross-site POST (text/plain, foreign Origin), a
 * DNS-rebinding page (foreign Host), and anything without the per-start token.
 * Real sandbox, real HTTP over loopback; node:http so Host/Origin are ours to set.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_TOKEN_HEADER } from './control-guard.js';
import { createControlClient, type ControlClient } from './control-client.js';
import { DEMO_MEMBERS } from './demo-data.js';
import { startSandbox, type RunningSandbox } from './server.js';

interface Raw {
  status: number;
  body: string;
}

function send(sb: RunningSandbox, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: sb.host, port: sb.port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('control API guard', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  const anna = DEMO_MEMBERS.anna;
  const own = () => ({ host: `127.0.0.1:${sb.port}`, 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: sb.controlToken });
  /** What the attack wants: 99,999 points on a new member card. */
  const attackBody = JSON.stringify({ cardNumber: '9999999999994', points: 99_999 });
  const balanceOf = (userId: string) => sb.backends.whitelabel.state.balances(userId)[userId];
  const memberCount = () => Object.keys(sb.backends.whitelabel.state.balances()).length;

  beforeAll(async () => {
    sb = await startSandbox();
    control = createControlClient(sb);
  });
  afterAll(() => sb.close());

  it('refuses a state-changing control POST sent as text/plain (a form or no-cors fetch), and changes nothing', async () => {
    const before = memberCount();
    const r = await send(sb, 'POST', '/_control/whitelabel/members', { ...own(), 'content-type': 'text/plain' }, attackBody);
    expect(r.status).toBe(415);
    expect(memberCount()).toBe(before);
    const reset = await send(sb, 'POST', '/_control/reset', { ...own(), 'content-type': 'application/x-www-form-urlencoded' }, 'seedDemo=true');
    expect(reset.status).toBe(415);
  });

  it('refuses a control request carrying a foreign Origin, even with the right token', async () => {
    const before = memberCount();
    const r = await send(sb, 'POST', '/_control/whitelabel/members', { ...own(), origin: 'https://evil.example' }, attackBody);
    expect(r.status).toBe(403);
    expect(r.body).toContain('evil.example');
    expect(memberCount()).toBe(before);
    expect((await send(sb, 'GET', '/_control/faults', { ...own(), origin: 'null' })).status).toBe(403);
    // The sandbox's own origin is not a web page elsewhere.
    expect((await send(sb, 'GET', '/_control/faults', { ...own(), origin: `http://127.0.0.1:${sb.port}` })).status).toBe(200);
  });

  it('refuses a control request whose Host is not the sandbox (DNS rebinding), even with the token', async () => {
    const before = memberCount();
    const rebound = await send(sb, 'POST', '/_control/whitelabel/members', { ...own(), host: `attacker.example:${sb.port}` }, attackBody);
    expect(rebound.status).toBe(403);
    expect((await send(sb, 'GET', '/_control/faults', { ...own(), host: `127.0.0.1:${sb.port + 1}` })).status).toBe(403);
    expect((await send(sb, 'GET', '/_control/health', { host: `attacker.example:${sb.port}` })).status).toBe(403);
    expect(memberCount()).toBe(before);
  });

  it('refuses a control call without the token or with a wrong one', async () => {
    const before = memberCount();
    const { [CONTROL_TOKEN_HEADER]: _t, ...noToken } = own();
    expect((await send(sb, 'POST', '/_control/whitelabel/members', noToken, attackBody)).status).toBe(403);
    // One character changed, always (a random token starts with "x" one time in 64: then "x" + the rest was the token itself).
    const wrong = (sb.controlToken.startsWith('x') ? 'y' : 'x') + sb.controlToken.slice(1);
    expect((await send(sb, 'POST', '/_control/whitelabel/members', { ...own(), [CONTROL_TOKEN_HEADER]: wrong }, attackBody)).status).toBe(403);
    expect((await send(sb, 'GET', `/_control/whitelabel/ledger?userId=${anna.userId}`, noToken)).status).toBe(403);
    expect(memberCount()).toBe(before);
  });

  it("gives each start its own token: another sandbox's token is refused", async () => {
    const other = await startSandbox();
    try {
      expect(other.controlToken).not.toBe(sb.controlToken);
      expect(sb.controlToken.length).toBeGreaterThanOrEqual(32);
      expect((await send(sb, 'GET', '/_control/faults', { ...own(), [CONTROL_TOKEN_HEADER]: other.controlToken })).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('works through the control client, and health stays open for readiness probes without revealing the token', async () => {
    const m = await control.whitelabel.addMember({ points: 99_999 });
    expect(balanceOf(m.userId)).toBe(99_999);
    const health = await send(sb, 'GET', '/_control/health', { host: `localhost:${sb.port}` });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true, backends: expect.any(Array), faults: 0 });
    expect(health.body).not.toContain(sb.controlToken);
  });

  it('leaves the loyalty API itself as it was (the adapters send no sandbox token)', async () => {
    const r = await send(sb, 'POST', '/whitelabel/auth/oauth/token', { host: `127.0.0.1:${sb.port}`, 'content-type': 'text/plain' }, '');
    expect(r.status).not.toBe(403);
    expect(r.status).not.toBe(415);
  });
});
