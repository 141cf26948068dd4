/** Review item 12: odd text in names and `__proto__` keys are refused, not stored or silently dropped. */
import { describe, expect, it } from 'vitest';
import { validateCall } from './contract.js';
import { protoKeyPath, unsafeTextReason } from './safe-text.js';

const BAD_NAMES = ['Ann\u0000', 'Ann\u202eoj', 'A\u2066b', 'x\ud800', '\udc00y', 'line\nbreak', 'c1\u0085'];

describe('names', () => {
  it('refuses control, bidi-override and unpaired-surrogate characters, keeps ordinary names', () => {
    for (const bad of BAD_NAMES) expect(unsafeTextReason(bad), JSON.stringify(bad)).not.toBeNull();
    for (const good of ['Ann', 'Zoë Müller', 'محمد', 'שרה', '李小龍', 'O\u2019Brien', 'emoji \ud83d\ude00']) expect(unsafeTextReason(good), good).toBeNull();
  });

  it('every name in the contract refuses them: people, store, terminal, offer customers', () => {
    const approval = { managerId: 'P-1', pin: '123456' };
    for (const bad of BAD_NAMES) {
      const calls: [string, unknown][] = [
        ['createFirstManager', { name: bad, pin: '123456' }],
        ['createPerson', { name: bad, role: 'cashier', pin: '1234', approval }],
        ['updateSettings', { patch: { storeName: bad } }],
        ['updateSettings', { patch: { terminalName: bad } }],
        ['createOfferCustomer', { firstName: bad, lastName: 'Peeters', email: 'a@example.com' }],
        ['createOffer', { name: bad }],
      ];
      for (const [method, input] of calls) {
        expect(() => validateCall(method, input), `${method} ${JSON.stringify(bad)}`).toThrow(/Invalid/);
      }
    }
    expect(() => validateCall('updateSettings', { patch: { storeName: 'Zoë\u2019s shop' } })).not.toThrow();
  });
});

describe('__proto__ keys', () => {
  it('are refused wherever they appear in an input, with the path', () => {
    expect(protoKeyPath(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toBe('a.0.b.__proto__');
    expect(protoKeyPath({ a: 1, b: [1, { c: 'x' }] })).toBeNull();
    const input = JSON.parse('{"program":"whitelabel","values":{"__proto__":"x"}}');
    expect(() => validateCall('testConnection', input)).toThrow(/values\.__proto__/);
  });
});
