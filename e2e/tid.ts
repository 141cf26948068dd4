/** The CSS selector of an element by its test id (renderer/src/testids.ts names them). */
export const tid = (id: string): string => `[data-testid="${id}"]`;
