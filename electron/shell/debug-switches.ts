/**
 * A debugging switch on the shipped app's command line (the fuses turn off
 * --inspect; Chromium's remote debugging has no fuse): the packaged terminal
 * refuses to start with one rather than expose its renderer and main process.
 */
export function debugSwitchIn(argv: readonly string[]): string | null {
  for (const a of argv) {
    const m = /^--(remote-debugging-port|remote-debugging-pipe|remote-allow-origins|inspect|inspect-brk|inspect-port|js-flags)(=|$)/.exec(a);
    if (m) return `--${m[1]}`;
  }
  return null;
}
