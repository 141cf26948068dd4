/**
 * Checks an HTTP exchange against the UiTPAS OpenAPI 3.0 document the way a strict client or
 * server would. Schemas are validated by ajv (with ajv-formats); this file adds what JSON
 * Schema does not know about HTTP and OpenAPI:
 *
 *  - a request: the path and method are documented; path and query parameters are declared
 *    and their values fit their schemas (no undeclared query parameters); the credentials
 *    one of the operation's security alternatives asks for are present; the body is present
 *    exactly when the operation has one, with a documented media type, fits its schema, and
 *    carries no readOnly property;
 *  - a response: the status is documented for the operation; the media type is one
 *    documented for that status (or no body where none is documented); the body fits the
 *    schema and carries no writeOnly property.
 *
 * OpenAPI 3.0's own schema rules are turned into plain JSON Schema once per direction
 * (request, response): readOnly properties are forbidden (and not required) in requests,
 * writeOnly ones in responses; ajv knows `nullable` (OpenAPI's keyword) itself; extensions (`x-...`) are dropped. ajv runs in strict mode,
 * so a keyword it does not know makes the validator throw rather than silently skip a
 * constraint (OpenAPI's annotations are declared as such).
 *
 * `strictProperties` (default true) also refuses object properties the schema does not
 * declare when it says nothing about additionalProperties (as `unevaluatedProperties:
 * false`, which sees through allOf). The document never closes its objects, so a real
 * client must tolerate extra fields; but an emulator that invents fields would teach the
 * adapter to rely on something the real service may not send, so the conformance test holds
 * the sandbox to declared fields only.
 */
import { Ajv2019, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

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

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type Direction = 'request' | 'response';

/** OpenAPI 3.0 annotations that carry no constraint (ajv's strict mode must know them). */
const OPENAPI_ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator'];
/** The formats the document uses; an unknown one is an error in strict mode. */
const FORMATS = ['date-time', 'date', 'uri', 'uuid', 'email', 'json-pointer'] as const;

const COMPONENT_SCHEMA = /^#\/components\/schemas\/(.+)$/;
/** ajv's key of a component schema: closed (a whole value) or open (an allOf branch). */
const schemaKey = (name: string, open: boolean) => `urn:openapi:${open ? 'open' : 'closed'}:${encodeURIComponent(name)}`;

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

export class OpenApiValidator {
  private readonly strict: boolean;
  private readonly ajv: Record<Direction, Ajv2019>;
  private readonly compiled: Record<Direction, WeakMap<object, ValidateFunction>> = { request: new WeakMap(), response: new WeakMap() };

  constructor(
    readonly doc: OpenApiDocument,
    opts: ValidatorOptions = {},
  ) {
    this.strict = opts.strictProperties ?? true;
    this.ajv = { request: this.makeAjv('request'), response: this.makeAjv('response') };
  }

  private makeAjv(dir: Direction): Ajv2019 {
    const ajv = new Ajv2019({ allErrors: true, strict: true, validateFormats: true });
    addFormats(ajv, [...FORMATS]);
    ajv.addVocabulary(OPENAPI_ANNOTATIONS);
    const schemas = (this.doc.components?.schemas ?? {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(schemas)) {
      ajv.addSchema(this.toJsonSchema(schema, dir, false) as AnySchema, schemaKey(name, false));
      ajv.addSchema(this.toJsonSchema(schema, dir, true) as AnySchema, schemaKey(name, true));
    }
    return ajv;
  }

  /**
   * One OpenAPI schema as plain JSON Schema for one direction. `open`: the schema is an allOf
   * branch, so its undeclared properties may be declared by a sibling branch.
   */
  private toJsonSchema(node: unknown, dir: Direction, open: boolean): unknown {
    if (!isObject(node)) return node;
    if (typeof node.$ref === 'string') {
      const m = COMPONENT_SCHEMA.exec(node.$ref);
      if (!m) throw new Error(`openapi-validate: only component schema references inside a schema, got ${node.$ref}`);
      return { $ref: schemaKey(m[1]!.replace(/~1/g, '/').replace(/~0/g, '~'), open) };
    }
    const out: JsonSchema = Object.fromEntries(Object.entries(node).filter(([k]) => !k.startsWith('x-')));
    for (const k of ['items', 'not', 'additionalProperties'] as const) if (isObject(node[k])) out[k] = this.toJsonSchema(node[k], dir, false);
    for (const k of ['anyOf', 'oneOf'] as const) if (Array.isArray(node[k])) out[k] = (node[k] as unknown[]).map((s) => this.toJsonSchema(s, dir, open));
    if (Array.isArray(node.allOf)) out.allOf = (node.allOf as unknown[]).map((s) => this.toJsonSchema(s, dir, true));
    if (isObject(node.properties)) {
      const props: JsonSchema = {};
      let required = Array.isArray(node.required) ? [...(node.required as string[])] : undefined;
      for (const [name, prop] of Object.entries(node.properties)) {
        const resolved = this.resolve<JsonSchema>(prop);
        // A readOnly property is the server's: required in answers, refused in requests (and writeOnly the reverse).
        const forbidden = (dir === 'request' && resolved.readOnly === true) || (dir === 'response' && resolved.writeOnly === true);
        if (forbidden) {
          props[name] = false;
          required = required?.filter((r) => r !== name);
        } else props[name] = this.toJsonSchema(prop, dir, false);
      }
      out.properties = props;
      if (required) out.required = required;
    }
    const objectBranches =
      Array.isArray(node.allOf) &&
      (node.allOf as unknown[]).every((b) => {
        const r = this.resolve<JsonSchema>(b);
        return r.type === 'object' || isObject(r.properties);
      });
    const objectLike = node.type === 'object' || isObject(node.properties) || objectBranches;
    if (this.strict && !open && objectLike && node.additionalProperties === undefined) {
      out.unevaluatedProperties = false;
      // An allOf of objects is an object; ajv's strict mode wants that said where the keyword is.
      if (out.type === undefined) out.type = 'object';
    }
    return out;
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

  /** Validates a value against a schema of the document; returns the errors (empty when valid). */
  validate(schema: unknown, value: unknown, direction: Direction = 'response', at = ''): string[] {
    if (!isObject(schema)) throw new Error(`openapi-validate: not a schema at ${at || '/'}`);
    const cache = this.compiled[direction];
    let check = cache.get(schema);
    if (!check) {
      check = this.ajv[direction].compile(this.toJsonSchema(schema, direction, false) as AnySchema);
      cache.set(schema, check);
    }
    return check(value) ? [] : (check.errors ?? []).map((e) => describe(e, at));
  }

  /** The documented operation for a method and concrete path, with its path parameters. */
  findOperation(
    method: string,
    path: string,
  ): { template: string; item: Record<string, unknown>; op: Record<string, unknown>; params: Record<string, string> } | null {
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
          errors.push(
            ...this.validate(
              s,
              items.map((v) => this.coerce(s.items, v)),
              'request',
              `query.${name}`,
            ).map((e) => `${label}: ${e}`),
          );
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

/** One ajv error in the validator's words: where, then what. */
function describe(e: ErrorObject, at: string): string {
  const where = `${at}${e.instancePath}` || '/';
  if (e.keyword === 'unevaluatedProperties') return `${at}${e.instancePath}/${String(e.params.unevaluatedProperty)}: property not declared by the document`;
  if (e.keyword === 'false schema')
    return `${where}: ${at.startsWith('query') || at.startsWith('path') ? 'not allowed' : 'readOnly/writeOnly property not allowed in this direction'}`;
  if (e.keyword === 'enum')
    return `${where}: ${JSON.stringify(e.data)} is not one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

function mediaType(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.split(';')[0]!.trim().toLowerCase() || undefined;
}
