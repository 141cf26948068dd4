/**
 * What the renderer's runtime needs before the first render: nothing on React, the runtime the app
 * is built on. A Preact build (POS_RENDERER_RUNTIME=preact) replaces this module with
 * ./preact-setup.ts (renderer/vite.config.ts); README, "The renderer's runtime".
 */
export {};
