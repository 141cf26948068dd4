import { describe, expect, it } from 'vitest';
import type { TerminalStatus } from '../../../shared/domain';
import { loadedPatternEngine } from './pattern-engine';
import { mustWaitToScreen, readyToScreen, screenMemberRead } from './scanner-config';

const JAN = '0930012345615';
const status = {
  backend: { id: 'uitpas', name: 'UiTPAS', capabilities: { identifiers: ['uitpas', 'insz'] } },
} as unknown as TerminalStatus;

describe('the scan-pattern engine loads on demand (issue 18: not in the first paint)', () => {
  it('reads plain numbers without it, makes a URL wait for it, then reads the URL', async () => {
    // First in this file: the engine has not been loaded (vitest isolates each file's modules).
    expect(loadedPatternEngine()).toBeNull();
    expect(mustWaitToScreen(JAN, status)).toBe(false);
    expect(screenMemberRead(JAN, status, 'scanner')).toEqual({ ok: true, input: JAN });

    const url = `https://www.uitpas.be/pas/${JAN}?utm=app`;
    expect(mustWaitToScreen(url, status)).toBe(true);
    // A caller that did not wait is told to scan again, never given a wrong number.
    expect(screenMemberRead(url, status, 'scanner')).toMatchObject({ ok: false, error: { code: 'MEMBER_NUMBER_FORMAT' } });
    await readyToScreen(url, status);
    expect(loadedPatternEngine()).not.toBeNull();
    expect(mustWaitToScreen(url, status)).toBe(false);
    expect(screenMemberRead(url, status, 'scanner')).toEqual({ ok: true, input: JAN });
  });
});
