// Module hook for test/isolation/start-runtime.ts: appends every module URL the
// process resolves to the file named by PWP_IMPORT_LOG (one per line), so a test
// can tell which modules a start-up loaded. Registered with --import before tsx's.
import { register } from 'node:module';
import process from 'node:process';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      let file;
      export function initialize(data) { file = data.file; }
      export async function resolve(specifier, context, next) {
        const r = await next(specifier, context);
        if (file) appendFileSync(file, r.url + '\\n');
        return r;
      }
    `),
  { data: { file: process.env.PWP_IMPORT_LOG } },
);
