/**
 * zod, set up once for every schema in shared/. jitless: zod's fast path
 * compiles parsers with `new Function`, and only probing whether it may do
 * so already breaks the renderer's Content-Security-Policy (no
 * 'unsafe-eval': a `securitypolicyviolation` on every screen that loads a
 * schema). The interpreted parsers are fast enough for one call at a time.
 * Every file in shared/ takes `z` from here, so the setting is made before
 * the first schema is.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
