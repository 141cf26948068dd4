/** The client-credentials token source against the sandbox's real token endpoint. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { createControlClient, type ControlClient } from '../../sandbox/control-client.js';
import { whiteLabelSandboxConfig } from '../../sandbox/demo-data.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { createTokenSource, type TokenSourceOptions } from './oauth-token.js';
import { wlTokenRequestBody } from './whitelabel-wire.js';

describe('createTokenSource', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  let opts: TokenSourceOptions;
  beforeAll(async () => {
    sb = await startSandbox();
    control = createControlClient(sb);
    const c = whiteLabelSandboxConfig(sb.url);
    opts = { tokenUrl: c.authUrl, requestBody: wlTokenRequestBody(c.clientId, c.clientSecret), timeoutMs: 2000 };
  });
  afterAll(() => sb.close());
  beforeEach(() => control.reset());

  it('fetches one token for concurrent callers and caches it', async () => {
    const src = createTokenSource(opts);
    const tokens = await Promise.all([src.get(), src.get(), src.get(), src.get()]);
    expect(new Set(tokens).size).toBe(1);
    expect(await src.get()).toBe(tokens[0]);
    expect(await control.whitelabel.revokeTokens()).toBe(1); // only one was ever issued
  });

  it('renews shortly before expiry and after invalidate()', async () => {
    let now = 1_000_000;
    const src = createTokenSource({ ...opts, now: () => now });
    const first = await src.get();
    now += (3600 - 61) * 1000;
    expect(await src.get()).toBe(first);
    now += 2000; // inside the 60 s margin
    const second = await src.get();
    expect(second).not.toBe(first);
    src.invalidate('some-other-token');
    expect(await src.get()).toBe(second);
    src.invalidate(second);
    expect(await src.get()).not.toBe(second);
  });

  it('refused credentials are BACKEND_AUTH, not applied, and say nothing of the secret', async () => {
    const src = createTokenSource({ ...opts, requestBody: { ...opts.requestBody, client_secret: 'hunter2-secret' } });
    const e = await src.get().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PosError);
    expect(e).toMatchObject({ code: 'BACKEND_AUTH', details: { status: 401, notApplied: true } });
    expect(JSON.stringify({ m: (e as PosError).message, d: (e as PosError).details })).not.toContain('hunter2');
  });
});
