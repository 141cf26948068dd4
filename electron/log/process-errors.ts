/**
 * Logs what would otherwise only reach a console nobody reads: an uncaught
 * exception or an unhandled promise rejection in this process. Uses Node's
 * monitor hook, so the process still crashes as it would have (a terminal in
 * an unknown state must not keep taking sales); the log just has the reason.
 */
import { logger } from './logger.js';

const log = logger('process');

export function logProcessErrors(proc: Pick<NodeJS.Process, 'on' | 'off'> = process): () => void {
  const onFatal = (err: Error, origin: string) => log.error(origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception', err);
  proc.on('uncaughtExceptionMonitor', onFatal);
  return () => proc.off('uncaughtExceptionMonitor', onFatal);
}
