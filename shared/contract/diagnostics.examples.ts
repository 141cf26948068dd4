/** One valid input per method of the diagnostics area (the contract tests spread these into their table). */
export const DIAGNOSTICS_EXAMPLES: Record<string, unknown> = {
  reportClientError: {
    kind: 'error',
    message: 'x is undefined',
    stack: 'TypeError: x is undefined\n  at f (app.js:1:2)',
    source: 'app://pos/assets/app.js:1:2',
  },
  requestSupportBundle: {},
};
