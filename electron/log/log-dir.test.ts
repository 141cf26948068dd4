import { describe, expect, it } from 'vitest';
import { osLogDir, resolveLogDir } from './log-dir.js';

describe('the log folder', () => {
  it("is the OS's usual place for an app's logs", () => {
    expect(osLogDir('win32', { LOCALAPPDATA: 'C:\\Users\\till\\AppData\\Local' }, 'C:\\Users\\till')).toBe(
      'C:\\Users\\till\\AppData\\Local\\Pay with Points\\Logs',
    );
    expect(osLogDir('win32', {}, 'C:\\Users\\till')).toBe('C:\\Users\\till\\AppData\\Local\\Pay with Points\\Logs');
    expect(osLogDir('darwin', {}, '/Users/till')).toBe('/Users/till/Library/Logs/Pay with Points');
    expect(osLogDir('linux', {}, '/home/till')).toBe('/home/till/.local/state/pay-with-points/logs');
    expect(osLogDir('linux', { XDG_STATE_HOME: 'relative' }, '/home/till')).toBe('/home/till/.local/state/pay-with-points/logs');
  });

  it('follows --log-dir / PWP_LOG_DIR, then an explicitly chosen data dir', () => {
    const base = { platform: 'linux' as const, homedir: '/home/till', dataDir: '/srv/till-2', cwd: '/work' };
    expect(resolveLogDir({ ...base, argv: ['x', '--log-dir', 'logs'], env: { PWP_LOG_DIR: '/nope' } })).toBe('/work/logs');
    expect(resolveLogDir({ ...base, argv: ['x'], env: { PWP_LOG_DIR: '/var/log/pwp' } })).toBe('/var/log/pwp');
    expect(resolveLogDir({ ...base, argv: ['x', '--data-dir=/srv/till-2'], env: {} })).toBe('/srv/till-2/logs');
    expect(resolveLogDir({ ...base, argv: ['x'], env: { PWP_DATA_DIR: '/srv/till-2' } })).toBe('/srv/till-2/logs');
    expect(resolveLogDir({ ...base, argv: ['x'], env: {} })).toBe('/home/till/.local/state/pay-with-points/logs');
  });
});
