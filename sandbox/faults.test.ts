import { describe, expect, it } from 'vitest';
import { FaultRegistry, parseFaultSpec } from './faults.js';

describe('parseFaultSpec', () => {
  const known = ['whitelabel'];
  it('accepts a full spec and upper-cases the method', () => {
    expect(parseFaultSpec({ backend: 'whitelabel', method: 'post', path: '/v1/events', fault: 'status', status: 500, times: 2 }, known)).toEqual({
      spec: { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'status', status: 500, times: 2 },
    });
  });
  it.each([
    [{ fault: 'explode' }, /fault must be one of/],
    [{ fault: 'status', backend: 'uitpas' }, /backend must be one of/],
    [{ fault: 'status', times: 0 }, /times/],
    [{ fault: 'latency', ms: 1.5 }, /ms/],
    [{ fault: 'status', status: 99 }, /status/],
    [{ fault: 'status', colour: 'red' }, /unknown field/],
    [[], /object/],
  ])('refuses %j', (input, msg) => {
    const r = parseFaultSpec(input, known);
    expect('error' in r && r.error).toMatch(msg);
  });
});

describe('FaultRegistry.decide', () => {
  it('counts `times` and removes a fault when used up', () => {
    const reg = new FaultRegistry();
    reg.add({ fault: 'status', times: 2 });
    expect(reg.decide('whitelabel', 'GET', '/x').fault?.fault).toBe('status');
    expect(reg.decide('whitelabel', 'GET', '/x').fault?.hits).toBe(2);
    expect(reg.decide('whitelabel', 'GET', '/x').fault).toBeNull();
    expect(reg.list()).toEqual([]);
  });

  it('filters on backend, method and path substring', () => {
    const reg = new FaultRegistry();
    reg.add({ fault: 'reset-after', backend: 'whitelabel', method: 'POST', path: '/v1/events' });
    expect(reg.decide('whitelabel', 'GET', '/whitelabel/v1/events').fault).toBeNull();
    expect(reg.decide('uitpas', 'POST', '/uitpas/v1/events').fault).toBeNull();
    expect(reg.decide('whitelabel', 'POST', '/whitelabel/v1/users').fault).toBeNull();
    expect(reg.decide('whitelabel', 'post', '/whitelabel/v1/events').fault?.fault).toBe('reset-after');
  });

  it('adds every matching latency, then lets the first other fault decide', () => {
    const reg = new FaultRegistry();
    reg.add({ fault: 'latency', ms: 100 });
    reg.add({ fault: 'status', status: 500 });
    reg.add({ fault: 'latency', ms: 50 });
    reg.add({ fault: 'malformed' });
    const d = reg.decide('whitelabel', 'GET', '/p');
    expect(d.latencyMs).toBe(150);
    expect(d.fault?.fault).toBe('status');
    expect(reg.list().find((f) => f.fault === 'malformed')?.hits).toBe(0);
  });

  it('down wins, whatever method and path it was given', () => {
    const reg = new FaultRegistry();
    reg.add({ fault: 'latency', ms: 100 });
    reg.add({ fault: 'down', path: '/something-else', method: 'DELETE' });
    const d = reg.decide('whitelabel', 'GET', '/whitelabel/v1/users/1/wallet');
    expect(d).toMatchObject({ latencyMs: 0, fault: { fault: 'down' } });
  });

  it('removes one fault by id and clears all', () => {
    const reg = new FaultRegistry();
    const a = reg.add({ fault: 'status' });
    reg.add({ fault: 'malformed' });
    expect(reg.remove(a.id)).toBe(true);
    expect(reg.remove(a.id)).toBe(false);
    expect(reg.list().map((f) => f.fault)).toEqual(['malformed']);
    reg.clear();
    expect(reg.list()).toEqual([]);
  });
});

describe('FaultRegistry holds', () => {
  it('parks matching requests until released, counts them, and a removed hold lets them go', async () => {
    const reg = new FaultRegistry();
    const hold = reg.add({ fault: 'hold', method: 'POST', times: 2 });
    const gone: string[] = [];
    for (const name of ['a', 'b']) {
      const d = reg.decide('whitelabel', 'POST', '/whitelabel/v1/events');
      expect(d.fault?.fault).toBe('hold');
      void reg.park(d.fault!.id).then(() => gone.push(name));
    }
    expect(reg.decide('whitelabel', 'POST', '/x').fault).toBeNull(); // times used up
    await reg.whenHeld(hold.id, 2);
    expect(reg.held(hold.id)).toBe(2);
    expect(reg.release(hold.id, 1)).toBe(1);
    await Promise.resolve();
    expect(gone).toEqual(['a']);
    expect(reg.remove(hold.id)).toBe(true); // the rule is gone, its last parked request goes on
    await Promise.resolve();
    expect(gone).toEqual(['a', 'b']);
    expect(reg.held(hold.id)).toBe(0);
  });
});
