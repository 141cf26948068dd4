/**
 * A small validator for the part of OpenAPI 3.0 / JSON Schema that the UiTPAS
 * document uses, so the conformance test needs no dependency. It checks an
 * HTTP exchange against the document the way a strict client or server would:
 *
 *  - a request: the path and method are documented; path and query
 *    parameters are declared and their values fit their schemas (no
 *    undeclared query parameters); the credentials one of the operation's
 *    security alternatives asks for are present; the body is present exactly
 *    when the operation has one, with a documented media type, fits its
 *    schema, and carries no readOnly property;
 *  - a response: the status is documented for the operation; the media type
 *    is one documented for that status (or no body where none is documented);
 *    the body fits the schema and carries no writeOnly property.
 *
 * Schemas: $ref (local), type, nullable, enum, format (date-time, date, uri,
 * uuid, email, json-pointer), properties, required, additionalProperties,
 * items, min/maxItems, uniqueItems, minimum/maximum (3.0 exclusive booleans),
 * multipleOf, min/maxLength, pattern, allOf/anyOf/oneOf/not. Annotations are
 * ignored. Any other keyword makes the validator throw rather than silently
 * skip a constraint.
 *
 * `strictProperties` (default true) also refuses object properties the
 * schema does not declare when it says nothing about additionalProperties.
 * The document never closes its objects, so a real client must tolerate
 * extra fields; but an emulator that invents fields would teach the adapter
 * to rely on something the real service may not send, so the conformance
 * test holds the sandbox to declared fields only.
 */

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  security?: Array<Record<string, string[]>>;
}

export interface RequestToCheck {
  method: string;
  /** The path below the API root, e.g. `/rewards/123/redeem-status` (no query). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The raw body text; '' or undefined for none. */
  body?: string;
}

export interface ResponseToCheck {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | undefined>;
  body?: string;
}

export interface ValidatorOptions {
  strictProperties?: boolean;
}

const ANNOTATIONS = new Set([
  'title',
  'description',
  'example',
  'examples',
  'default',
  'deprecated',
  'externalDocs',
  'xml',
  'readOnly',
  'writeOnly',
  'nullable',
  '$ref',
]);

const CHECKED = new Set([
  'type',
  'enum',
  'format',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
]);

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type Direction = 'request' | 'response';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkFormat(format: string, value: string): boolean {
  switch (format) {
    case 'date-time': {
      if (!DATE_TIME.test(value)) return false;
      return !Number.isNaN(Date.parse(value));
    }
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value + 'T00:00:00Z'));
    case 'uri':
      try {
        const u = new URL(value);
        return u.protocol.length > 1;
      } catch {
        return false;
      }
    case 'uuid':
      return UUID.test(value);
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
    case 'json-pointer':
      return value === '' || /^(\/([^~/]|~[01])*)+$/.test(value);
    default:
      throw new Error(`openapi-validate: unsupported format "${format}"`);
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, v: unknown): boolean {
  const t = typeOf(v);
  if (expected === 'number') return t === 'number' || t === 'integer';
  return expected === t;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export class OpenApiValidator {
  private readonly strict: boolean;

  constructor(
    readonly doc: OpenApiDocument,
    opts: ValidatorOptions = {},
  ) {
    this.strict = opts.strictProperties ?? true;
  }

  /** Follows a local reference ('#/components/schemas/Pass'). */
  resolve<T = Record<string, unknown>>(node: unknown): T {
    let cur = node as Record<string, unknown>;
    for (let hops = 0; cur && typeof cur === 'object' && typeof cur.$ref === 'string'; hops++) {
      if (hops > 32) throw new Error('openapi-validate: reference loop');
      const ref = cur.$ref as string;
      if (!ref.startsWith('#/')) throw new Error(`openapi-validate: only local references, got ${ref}`);
      let target: unknown = this.doc;
      for (const raw of ref.slice(2).split('/')) {
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        target = (target as Record<string, unknown> | undefined)?.[key];
      }
      if (target === undefined) throw new Error(`openapi-validate: dangling reference ${ref}`);
      cur = target as Record<string, unknown>;
    }
    return cur as T;
  }

  /** Validates a value against a schema; returns the errors (empty when valid). */
  validate(schema: unknown, value: unknown, direction: Direction = 'response', at = ''): string[] {
    const errors: string[] = [];
    this.check(schema, value, direction, at, errors, false);
    return errors;
  }

  private check(schemaIn: unknown, value: unknown, dir: Direction, at: string, errors: string[], insideAllOf: boolean): void {
    const schema = this.resolve<JsonSchema>(schemaIn);
    if (typeof schema !== 'object' || schema === null) throw new Error(`openapi-validate: not a schema at ${at || '/'}`);
    for (const k of Object.keys(schema)) {
      if (!ANNOTATIONS.has(k) && !CHECKED.has(k) && !k.startsWith('x-')) throw new Error(`openapi-validate: unsupported keyword "${k}"`);
    }
    const where = at || '/';
    if (value === null) {
      if (schema.nullable === true) return;
      if (schema.type !== undefined) {
        errors.push(`${where}: null is not allowed`);
        return;
      }
    }
    if (typeof schema.type === 'string' && !typeMatches(schema.type, value)) {
      errors.push(`${where}: expected ${schema.type}, got ${typeOf(value)}`);
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
      errors.push(`${where}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
    if (typeof value === 'string') {
      if (typeof schema.format === 'string' && !checkFormat(schema.format, value)) errors.push(`${where}: ${JSON.stringify(value)} is not a valid ${schema.format}`);
      if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errors.push(`${where}: shorter than ${schema.minLength}`);
      if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) errors.push(`${where}: longer than ${schema.maxLength}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${where}: does not match ${schema.pattern}`);
    }
    if (typeof value === 'number') {
      const exMin = schema.exclusiveMinimum === true;
      const exMax = schema.exclusiveMaximum === true;
      if (typeof schema.minimum === 'number' && (exMin ? value <= schema.minimum : value < schema.minimum)) errors.push(`${where}: below the minimum ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && (exMax ? value >= schema.maximum : value > schema.maximum)) errors.push(`${where}: above the maximum ${schema.maximum}`);
      if (typeof schema.multipleOf === 'number' && !Number.isInteger(value / schema.multipleOf)) errors.push(`${where}: not a multiple of ${schema.multipleOf}`);
    }
    if (Array.isArray(value)) {
      if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems} items`);
      if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems} items`);
      if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${where}: items are not unique`);
      if (schema.items !== undefined) value.forEach((v, i) => this.check(schema.items, v, dir, `${at}/${i}`, errors, false));
    }
    if (typeOf(value) === 'object') this.checkObject(schema, value as Record<string, unknown>, dir, at, errors, insideAllOf);
    if (Array.isArray(schema.allOf)) for (const s of schema.allOf) this.check(s, value, dir, at, errors, true);
    if (Array.isArray(schema.anyOf)) {
      if (!schema.anyOf.some((s) => this.validate(s, value, dir, at).length === 0)) errors.push(`${where}: matches none of anyOf`);
    }
    if (Array.isArray(schema.oneOf)) {
      const n = schema.oneOf.filter((s) => this.validate(s, value, dir, at).length === 0).length;
      if (n !== 1) errors.push(`${where}: matches ${n} of oneOf (exactly one required)`);
    }
    if (schema.not !== undefined && this.validate(schema.not, value, dir, at).length === 0) errors.push(`${where}: matches a "not" schema`);
  }

  private checkObject(schema: JsonSchema, obj: Record<string, unknown>, dir: Direction, at: string, errors: string[], insideAllOf: boolean): void {
    const props = (schema.properties ?? {}) as Record<string, unknown>;
    for (const r of (schema.required ?? []) as string[]) {
      if (!(r in obj)) {
        // A readOnly required property is only required in responses (and the reverse).
        const p = props[r] ? this.resolve<JsonSchema>(props[r]) : undefined;
        if (dir === 'request' && p?.readOnly === true) continue;
        if (dir === 'response' && p?.writeOnly === true) continue;
        errors.push(`${at || '/'}: missing required property "${r}"`);
      }
    }
    const declared = this.declaredProperties(schema);
    for (const [k, v] of Object.entries(obj)) {
      const here = `${at}/${esc(k)}`;
      if (k in props) {
        const p = this.resolve<JsonSchema>(props[k]);
        if (dir === 'request' && p.readOnly === true) errors.push(`${here}: readOnly property sent in a request`);
        if (dir === 'response' && p.writeOnly === true) errors.push(`${here}: writeOnly property in a response`);
        this.check(props[k], v, dir, here, errors, false);
        continue;
      }
      const ap = schema.additionalProperties;
      if (ap === false) errors.push(`${here}: property not allowed`);
      else if (ap !== undefined && ap !== true) this.check(ap, v, dir, here, errors, false);
      else if (ap === undefined && this.strict && !insideAllOf && !declared.has(k)) errors.push(`${here}: property not declared by the document`);
    }
  }

  /** Property names a schema declares, including those its allOf branches declare. */
  private declaredProperties(schemaIn: unknown, depth = 0): Set<string> {
    const schema = this.resolve<JsonSchema>(schemaIn);
    const out = new Set(Object.keys((schema.properties ?? {}) as object));
    if (depth < 16 && Array.isArray(schema.allOf)) for (const s of schema.allOf) for (const k of this.declaredProperties(s, depth + 1)) out.add(k);
    return out;
  }

  /** The documented operation for a method and concrete path, with its path parameters. */
  findOperation(method: string, path: string): { template: string; item: Record<string, unknown>; op: Record<string, unknown>; params: Record<string, string> } | null {
    const m = method.toLowerCase();
    const candidates: Array<{ template: string; literal: number; params: Record<string, string> }> = [];
    const segs = path.split('/');
    for (const template of Object.keys(this.doc.paths)) {
      const tsegs = template.split('/');
      if (tsegs.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let literal = 0;
      let ok = true;
      for (let i = 0; i < tsegs.length; i++) {
        const t = tsegs[i]!;
        const s = segs[i]!;
        const pm = /^\{(.+)\}$/.exec(t);
        if (pm) {
          if (s === '') {
            ok = false;
            break;
          }
          params[pm[1]!] = decodeURIComponent(s);
        } else if (t === s) {
          literal++;
        } else {
          ok = false;
          break;
        }
      }
      if (ok) candidates.push({ template, literal, params });
    }
    // A literal segment wins over a template one (/rewards/redeemed over /rewards/{rewardId}).
    candidates.sort((a, b) => b.literal - a.literal);
    for (const c of candidates) {
      const item = this.doc.paths[c.template]!;
      const op = item[m];
      if (op && HTTP_METHODS.has(m)) return { template: c.template, item, op: op as Record<string, unknown>, params: c.params };
    }
    return null;
  }

  private parameters(item: Record<string, unknown>, op: Record<string, unknown>): Array<Record<string, unknown>> {
    const byKey = new Map<string, Record<string, unknown>>();
    for (const list of [item.parameters, op.parameters]) {
      for (const p of (list ?? []) as unknown[]) {
        const r = this.resolve<Record<string, unknown>>(p);
        byKey.set(`${r.in}:${r.name}`, r); // operation-level overrides path-level
      }
    }
    return [...byKey.values()];
  }

  /** Turns a query or path string into the type its schema wants, for validation. */
  private coerce(schemaIn: unknown, raw: string): unknown {
    const schema = this.resolve<JsonSchema>(schemaIn);
    switch (schema.type) {
      case 'integer':
        return /^-?\d+$/.test(raw) ? Number(raw) : raw;
      case 'number':
        return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
      case 'boolean':
        return raw === 'true' ? true : raw === 'false' ? false : raw;
      default:
        return raw;
    }
  }

  validateRequest(req: RequestToCheck): string[] {
    const found = this.findOperation(req.method, req.path);
    if (!found) return [`${req.method.toUpperCase()} ${req.path}: no such operation in the document`];
    const { op, item, params } = found;
    const label = `${req.method.toUpperCase()} ${found.template}`;
    const errors: string[] = [];
    const declaredQuery = new Set<string>();

    for (const p of this.parameters(item, op)) {
      const name = String(p.name);
      const schema = p.schema ?? {};
      if (p.in === 'path') {
        if (!(name in params)) errors.push(`${label}: path parameter ${name} missing`);
        else errors.push(...this.validate(schema, this.coerce(schema, params[name]!), 'request', `path.${name}`).map((e) => `${label}: ${e}`));
      } else if (p.in === 'query') {
        declaredQuery.add(name);
        const values = req.query.getAll(name);
        if (values.length === 0) {
          if (p.required === true) errors.push(`${label}: required query parameter ${name} missing`);
          continue;
        }
        const s = this.resolve<JsonSchema>(schema);
        if (s.type === 'array') {
          const explode = p.explode ?? (p.style ?? 'form') === 'form';
          const items = explode ? values : values.flatMap((v) => v.split(','));
          errors.push(...this.validate(s, items.map((v) => this.coerce(s.items, v)), 'request', `query.${name}`).map((e) => `${label}: ${e}`));
        } else {
          if (values.length > 1) errors.push(`${label}: query parameter ${name} given ${values.length} times`);
          errors.push(...this.validate(s, this.coerce(s, values[0]!), 'request', `query.${name}`).map((e) => `${label}: ${e}`));
        }
      } else if (p.in === 'header') {
        const v = req.headers[name.toLowerCase()];
        if (v === undefined && p.required === true) errors.push(`${label}: required header ${name} missing`);
      }
    }
    for (const name of new Set(req.query.keys())) if (!declaredQuery.has(name)) errors.push(`${label}: query parameter ${name} is not documented`);

    errors.push(...this.checkSecurity(op, req.headers).map((e) => `${label}: ${e}`));

    const body = req.body ?? '';
    const rb = op.requestBody ? this.resolve<Record<string, unknown>>(op.requestBody) : undefined;
    if (!rb) {
      if (body !== '') errors.push(`${label}: the operation takes no request body`);
      return errors;
    }
    if (body === '') {
      if (rb.required === true) errors.push(`${label}: request body required`);
      // OpenAPI 3.0: requestBody.required defaults to false; the body-level schema's required fields still apply when sent.
      return errors;
    }
    const content = (rb.content ?? {}) as Record<string, { schema?: unknown }>;
    const mt = mediaType(req.headers['content-type']);
    const media = mt ? content[mt] : undefined;
    if (!media) {
      errors.push(`${label}: request content-type ${mt ?? '(none)'} is not one of ${Object.keys(content).join(', ')}`);
      return errors;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      errors.push(`${label}: request body is not JSON`);
      return errors;
    }
    if (media.schema) errors.push(...this.validate(media.schema, parsed, 'request').map((e) => `${label} body: ${e}`));
    return errors;
  }

  private checkSecurity(op: Record<string, unknown>, headers: Record<string, string | undefined>): string[] {
    const alternatives = (op.security ?? this.doc.security) as Array<Record<string, string[]>> | undefined;
    if (!alternatives || alternatives.length === 0) return [];
    const schemes = (this.doc.components?.securitySchemes ?? {}) as Record<string, Record<string, unknown>>;
    const satisfied = (name: string): boolean => {
      const s = schemes[name];
      if (!s) throw new Error(`openapi-validate: unknown security scheme ${name}`);
      if (s.type === 'oauth2' || s.type === 'openIdConnect' || (s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer')) {
        return /^Bearer \S+$/.test(headers['authorization'] ?? '');
      }
      if (s.type === 'apiKey' && s.in === 'header') return (headers[String(s.name).toLowerCase()] ?? '') !== '';
      return false;
    };
    const ok = alternatives.some((alt) => Object.keys(alt).every(satisfied));
    return ok ? [] : [`no credentials for any of ${alternatives.map((a) => Object.keys(a).join('+') || '(none)').join(' | ')}`];
  }

  validateResponse(res: ResponseToCheck): string[] {
    const found = this.findOperation(res.method, res.path);
    if (!found) return [`${res.method.toUpperCase()} ${res.path}: no such operation in the document`];
    const label = `${res.method.toUpperCase()} ${found.template} -> ${res.status}`;
    const responses = (found.op.responses ?? {}) as Record<string, unknown>;
    const key = String(res.status);
    const rangeKey = `${key[0]}XX`;
    const chosen = responses[key] ?? responses[rangeKey] ?? responses[rangeKey.toLowerCase()] ?? responses.default;
    if (!chosen) return [`${label}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    const r = this.resolve<Record<string, unknown>>(chosen);
    const content = r.content as Record<string, { schema?: unknown }> | undefined;
    const body = res.body ?? '';
    if (!content || Object.keys(content).length === 0) {
      return body === '' ? [] : [`${label}: the document says no body, got ${body.length} bytes`];
    }
    const mt = mediaType(res.headers['content-type']);
    const media = mt ? content[mt] : undefined;
    if (!media) return [`${label}: content-type ${mt ?? '(none)'} is not one of ${Object.keys(content).join(', ')}`];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [`${label}: body is not JSON`];
    }
    return media.schema ? this.validate(media.schema, parsed, 'response').map((e) => `${label}: ${e}`) : [];
  }
}

function mediaType(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.split(';')[0]!.trim().toLowerCase() || undefined;
}
