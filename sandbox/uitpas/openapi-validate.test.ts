/**
 * The OpenAPI 3.0 rules the validator adds to JSON Schema, on a small document of its own
 * (the conformance test checks the UiTPAS document's exchanges).
 */
import { describe, expect, it } from 'vitest';
import { OpenApiValidator, type OpenApiDocument } from './openapi-validate.js';

const doc: OpenApiDocument = {
  openapi: '3.0.0',
  paths: {},
  components: {
    schemas: {
      Base: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', readOnly: true }, name: { type: 'string' } } },
      Secret: { type: 'object', properties: { pin: { type: 'string', writeOnly: true }, label: { type: 'string', 'x-internal': true } } },
      Extended: { allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', properties: { points: { type: 'integer', minimum: 0 } } }] },
      Maybe: { type: 'string', nullable: true, format: 'date-time' },
    },
  },
};
const v = new OpenApiValidator(doc);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('OpenApiValidator', () => {
  it('readOnly: required and allowed in answers, refused in requests (and not required there)', () => {
    expect(v.validate(ref('Base'), { id: 'a', name: 'n' }, 'response')).toEqual([]);
    expect(v.validate(ref('Base'), { name: 'n' }, 'response').length).toBe(1);
    expect(v.validate(ref('Base'), { name: 'n' }, 'request')).toEqual([]);
    expect(v.validate(ref('Base'), { id: 'a', name: 'n' }, 'request').length).toBeGreaterThan(0);
  });

  it('writeOnly: refused in answers; extensions are annotations', () => {
    expect(v.validate(ref('Secret'), { pin: '1', label: 'x' }, 'request')).toEqual([]);
    expect(v.validate(ref('Secret'), { pin: '1' }, 'response').length).toBeGreaterThan(0);
  });

  it('allOf: properties of every branch are declared, others are not', () => {
    expect(v.validate(ref('Extended'), { id: 'a', name: 'n', points: 3 }, 'response')).toEqual([]);
    expect(v.validate(ref('Extended'), { id: 'a', name: 'n', points: -1 }, 'response').length).toBeGreaterThan(0);
    expect(v.validate(ref('Extended'), { id: 'a', name: 'n', colour: 'red' }, 'response')).toEqual(['/colour: property not declared by the document']);
  });

  it('nullable and formats', () => {
    expect(v.validate(ref('Maybe'), null)).toEqual([]);
    expect(v.validate(ref('Maybe'), '2026-12-06T10:00:00Z')).toEqual([]);
    expect(v.validate(ref('Maybe'), '06/12/2026').length).toBe(1);
  });

  it('an unknown keyword makes it throw instead of skipping a constraint', () => {
    const odd = new OpenApiValidator({ openapi: '3.0.0', paths: {}, components: { schemas: {} } });
    expect(() => odd.validate({ type: 'string', minGraphemes: 3 }, 'abc')).toThrow(/unknown keyword/);
  });
});
