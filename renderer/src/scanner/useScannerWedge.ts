/**
 * The USB scanner, wherever the focus is: one wedge on the document, built
 * from the terminal's scanner set-up, and one way in (the store's identify).
 * The set-up is read at start, at each sign-in and whenever the counter comes
 * back from another view (the manager may have changed it in the desk).
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { TerminalApi } from '../../../shared/contract';
import { gate } from '../state/session';
import type { PosState } from '../state/store';
import { scannerConfig, setScannerSettings, wedgeOptionsFrom } from './scanner-config';
import { createWedge } from './wedge';

/** Reads the scanner set-up from the terminal (getPreferences needs nobody signed in). */
export async function loadScannerSettings(api: Pick<TerminalApi, 'getPreferences'>): Promise<void> {
  try {
    const prefs = await api.getPreferences({});
    setScannerSettings(prefs.scanner);
  } catch {
    // keep what we have (the defaults at first): the wedge keeps working
  }
}

export function useScannerWedge(store: StoreApi<PosState>, api: Pick<TerminalApi, 'getPreferences'>): void {
  const settings = useStore(scannerConfig, (s) => s.settings);
  const paused = useStore(scannerConfig, (s) => s.paused > 0);
  // Undefined until the first whoAmI answers: a page load reads the set-up once, not once before and once after.
  const personId = useStore(store, (s) => (s.session.phase === 'unknown' ? undefined : (s.session.person?.id ?? null)));
  const onCounter = useStore(store, (s) => s.view === 'counter');

  useEffect(() => {
    if (onCounter && personId !== undefined) void loadScannerSettings(api);
  }, [api, personId, onCounter]);

  useEffect(() => {
    if (paused) return;
    const wedge = createWedge({
      ...wedgeOptionsFrom(settings),
      onScan: (scan) => {
        if (gate(store.getState().session) === 'in') void store.getState().identify(scan.code, 'scanner');
      },
    });
    return wedge.attach(document);
  }, [store, settings, paused]);
}
