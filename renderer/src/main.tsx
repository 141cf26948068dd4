import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
// The runtime's own set-up, before the first render (none on React; a Preact build's: runtime/preact-setup.ts).
import './runtime/setup';
import { connect } from './api';
import { reportErrorsTo } from './api/report-errors';
import { createI18nIn, pickLanguage, safeLocalStorage, savedLanguage, switchLanguage } from './i18n';
import { preloadCounterStep } from './screens/CounterScreen';
import { ApiProvider } from './screens/manager/api-context';
import { PosProvider } from './state/context';
import { guardApi } from './state/session';
import { createPosStore } from './state/store';
import './styles.css';

// Read (and hide) the web host's token before anything else runs.
const { api: rawApi, transport } = connect();
// Uncaught errors and rejections go to the terminal's log (no console is read in a store).
reportErrorsTo(rawApi);

function sessionMemory(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

// A call that finds nobody signed in (signed out elsewhere, switched off) brings the sign-in screen back.
let onSignedOut = () => {};
const api = guardApi(rawApi, () => onSignedOut());

const store = createPosStore({
  api,
  subscribe: (listener, onConnection) => transport.subscribe(listener, onConnection),
  memory: sessionMemory(),
});
onSignedOut = () => void store.getState().loadSession();
// The terminal's status, its pushes and who is signed in are asked for now, while the first render
// runs, not from the first render's effects: on a slow counter PC that render takes about half a
// second, and the counter cannot be ready before these answers (issue 18's profile at 4x CPU).
// Asked before the language is looked up, too: a fresh page's first localStorage read waits for the
// browser process (a synchronous round trip: up to 0.2 s at 4x on a loaded machine, issue 18).
store.getState().start();
void store.getState().loadSession();
// The program's own counter step (a chunk) loads as soon as the first status names the program.
const stopWatchingStatus = store.subscribe(({ status }) => {
  if (!status) return;
  stopWatchingStatus();
  preloadCounterStep(status.backend.capabilities);
});

// The UI's language: the one last chosen here, else the terminal's setting, else the browser's.
// Its catalogue loads (a small chunk, unless English) while the connection starts; the page paints in it.
// Set before any answer can arrive (this runs on, in the same task): the member's words from the
// backend follow the UI's language when it sent that variant.
const chosenHere = savedLanguage(safeLocalStorage());
const startLanguage = chosenHere ?? pickLanguage([navigator.language]);
store.setState({ uiLang: startLanguage });
const i18nReady = createI18nIn(startLanguage);

void i18nReady.then((i18n) => {
  document.documentElement.lang = i18n.language;
  store.setState({ uiLang: pickLanguage([i18n.language]) });
  i18n.on('languageChanged', (lng) => store.setState({ uiLang: pickLanguage([lng]) }));
  // A fresh machine takes the terminal's setting as soon as it is known (getPreferences needs nobody
  // signed in), so a cashier sees the language the manager chose; a choice made here is kept.
  if (!chosenHere) {
    void rawApi
      .getPreferences({})
      .then((prefs) => switchLanguage(i18n, prefs.language))
      .catch(() => {
        /* unreachable terminal: keep the browser's; the status bar says what is wrong */
      });
  }
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <ApiProvider api={api}>
          <PosProvider store={store}>
            <App />
          </PosProvider>
        </ApiProvider>
      </I18nextProvider>
    </StrictMode>,
  );
});
