#!/usr/bin/env node
/**
 * Extracts from the official UiTPAS OpenAPI document the part the terminal
 * uses: the operations below and every component they reference, followed
 * transitively. The subset is committed (sandbox/uitpas/
 * openapi-subset.json) so that the schema-conformance test runs on a clone
 * where `../shared` does not exist.
 *
 *   node scripts/extract-uitpas-spec.mjs            # (re)write the subset
 *   node scripts/extract-uitpas-spec.mjs --check    # exit 1 when the committed subset is stale
 *   node scripts/extract-uitpas-spec.mjs --source other.json --out x.json
 *
 * Nothing is rewritten: the operations and components are copied as they are
 * in the document (descriptions and examples included), so a reviewer can
 * diff the subset against the source. The document's title and version and
 * the source's path and SHA-256 go into `x-subset-of`, and into
 * openapi-subset.SOURCE.md beside the subset.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SOURCE = path.resolve(ROOT, '../shared/specs/uitpas.json');
const DEFAULT_OUT = path.resolve(ROOT, 'sandbox/uitpas/openapi-subset.json');

/** The operations the terminal (adapter and sandbox) uses: path -> methods. */
export const USED_OPERATIONS = {
  '/permissions': ['get'],
  '/passes': ['get'],
  '/passes/{uitpasNumber}': ['get'],
  '/rewards': ['get', 'post'],
  '/rewards/{rewardId}': ['get', 'put'],
  '/rewards/{rewardId}/redeem-status': ['get'],
  '/rewards/redeemed': ['get', 'post'],
  '/rewards/redeemed/{redeemedRewardId}': ['delete'],
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function collectRefs(node, out) {
  if (Array.isArray(node)) {
    for (const x of node) collectRefs(x, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else collectRefs(v, out);
    }
  }
}

function resolvePointer(doc, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported, got ${ref}`);
  let cur = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !(key in cur)) throw new Error(`dangling reference ${ref}`);
    cur = cur[key];
  }
  return cur;
}

/** Builds the subset document from the full one (pure: no file access). */
export function extractSubset(doc, meta) {
  const paths = {};
  for (const [p, methods] of Object.entries(USED_OPERATIONS)) {
    const item = doc.paths?.[p];
    if (!item) throw new Error(`the document has no path ${p}`);
    const kept = {};
    for (const [k, v] of Object.entries(item)) {
      if (HTTP_METHODS.has(k)) {
        if (methods.includes(k)) kept[k] = v;
      } else {
        kept[k] = v; // path-level parameters, summary, servers...
      }
    }
    for (const m of methods) if (!kept[m]) throw new Error(`the document has no ${m.toUpperCase()} ${p}`);
    paths[p] = kept;
  }

  // Follow every $ref transitively, and the security schemes the operations name.
  const components = {};
  const seen = new Set();
  const queue = new Set();
  collectRefs(paths, queue);
  const securityNames = new Set();
  for (const item of Object.values(paths)) {
    for (const [k, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(k)) continue;
      for (const req of op.security ?? doc.security ?? []) for (const name of Object.keys(req)) securityNames.add(name);
    }
  }
  for (const name of securityNames) queue.add(`#/components/securitySchemes/${name}`);
  while (queue.size > 0) {
    const ref = queue.values().next().value;
    queue.delete(ref);
    if (seen.has(ref)) continue;
    seen.add(ref);
    const target = resolvePointer(doc, ref);
    const parts = ref.slice(2).split('/');
    if (parts[0] !== 'components' || parts.length !== 3) throw new Error(`unexpected reference target ${ref}`);
    const [, section, name] = parts;
    components[section] ??= {};
    components[section][name] = target;
    const more = new Set();
    collectRefs(target, more);
    for (const r of more) if (!seen.has(r)) queue.add(r);
  }
  // Stable order, so a re-run gives the same bytes.
  const sortedComponents = {};
  for (const section of Object.keys(components).sort()) {
    sortedComponents[section] = {};
    for (const name of Object.keys(components[section]).sort()) sortedComponents[section][name] = components[section][name];
  }

  return {
    openapi: doc.openapi,
    info: doc.info,
    'x-subset-of': {
      title: doc.info?.title,
      version: doc.info?.version,
      source: meta.source,
      sha256: meta.sha256,
      extractedBy: 'scripts/extract-uitpas-spec.mjs',
      operations: Object.entries(USED_OPERATIONS).flatMap(([p, ms]) => ms.map((m) => `${m.toUpperCase()} ${p}`)),
    },
    servers: doc.servers,
    paths,
    components: sortedComponents,
  };
}

export function sourceNote(subset) {
  const s = subset['x-subset-of'];
  return [
    '# UiTPAS OpenAPI subset: where it comes from',
    '',
    'Generated by `node scripts/extract-uitpas-spec.mjs`; do not edit by hand.',
    '',
    `- Document: ${s.title}, version ${s.version} (OpenAPI ${subset.openapi})`,
    `- Source: \`${s.source}\` (the official document publiq publishes for UiTPAS API 4.0)`,
    `- Source SHA-256: \`${s.sha256}\``,
    '- Operations kept (with every component they reference, transitively):',
    ...s.operations.map((o) => `  - \`${o}\``),
    `- Components kept: ${Object.entries(subset.components)
      .map(([sec, v]) => `${sec} (${Object.keys(v).join(', ')})`)
      .join('; ')}`,
    '',
    'The schema-conformance test (sandbox/uitpas/conformance.test.ts) validates',
    'every sandbox response and every adapter request against this file. When `../shared`',
    'is present, the same test also checks that this file is what the script extracts now.',
    '',
  ].join('\n');
}

function parseArgs(argv) {
  const o = { source: DEFAULT_SOURCE, out: DEFAULT_OUT, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') o.check = true;
    else if (a === '--source') o.source = path.resolve(argv[++i]);
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.source)) {
    console.error(`The official document is not at ${args.source}; the committed subset stays as it is.`);
    process.exit(args.check ? 0 : 2);
  }
  const raw = readFileSync(args.source);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const rel = path.relative(ROOT, args.source).split(path.sep).join('/');
  const subset = extractSubset(JSON.parse(raw.toString('utf8')), { source: rel, sha256 });
  const text = JSON.stringify(subset, null, 2) + '\n';
  const notePath = args.out.replace(/\.json$/, '') + '.SOURCE.md';
  const note = sourceNote(subset);
  if (args.check) {
    const stale = [];
    if (!existsSync(args.out) || readFileSync(args.out, 'utf8') !== text) stale.push(path.relative(ROOT, args.out));
    if (!existsSync(notePath) || readFileSync(notePath, 'utf8') !== note) stale.push(path.relative(ROOT, notePath));
    if (stale.length) {
      console.error(`Stale: ${stale.join(', ')}. Run: node scripts/extract-uitpas-spec.mjs`);
      process.exit(1);
    }
    console.log('UiTPAS subset is up to date.');
    return;
  }
  writeFileSync(args.out, text);
  writeFileSync(notePath, note);
  const n = Object.values(subset.components).reduce((a, v) => a + Object.keys(v).length, 0);
  console.log(`Wrote ${path.relative(ROOT, args.out)} (${subset['x-subset-of'].operations.length} operations, ${n} components, ${text.length} bytes).`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
