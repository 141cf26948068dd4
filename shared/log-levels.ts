/**
 * The terminal log's levels, most verbose first (electron/log/logger.ts).
 * Zod-free: the settings screen lists them without pulling the schemas into its bundle.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
