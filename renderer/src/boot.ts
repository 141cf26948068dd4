/**
 * What the page does first (issue 18: a slow counter PC): main.tsx imports this module before
 * React and the UI, so it runs before their code does, and it is free of both. It asks the terminal
 * for its status, who is signed in and its language at once. When main.tsx asked, the questions went
 * out only after React and the whole UI had run; now the answers are on their way while they run.
 */
import { connect } from './api';
import { reportErrorsTo } from './api/report-errors';
import { pickLanguage, safeLocalStorage, savedLanguage } from './i18n/choice';
import { counterStepNeededFirst, loadOutcome, preloadCounterStep } from './screens/counter-steps';
import { capped, FIRST_ANSWERS_CAP_MS, firstAnswersIn, whenState } from './state/first-answers';
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
// The terminal's status, its pushes and who is signed in, asked before anything else: the counter
// cannot be ready before these answers. Asked before the language is looked up, too: a fresh page's
// first localStorage read waits for the browser process (a synchronous round trip: up to 0.2 s at 4x
// on a loaded machine).
store.getState().start();
void store.getState().loadSession();
// The program's own counter step (a chunk) loads as soon as the first status names the program.
let counterStep: Promise<unknown> | null = null;
const stopWatchingStatus = store.subscribe(({ status }) => {
  if (!status) return;
  stopWatchingStatus();
  counterStep = preloadCounterStep(status.backend.capabilities);
});
// The first render waits for these (state/first-answers.ts says why), briefly: the answers, then the
// chunks its screen shows: the program's step when it has something to show (counter-steps.ts), and
// the outcome (its Paid button) when a sale in progress came back (a reload after the member agreed).
const firstAnswers = whenState(store, firstAnswersIn, FIRST_ANSWERS_CAP_MS).then(() => {
  const { status, sale } = store.getState();
  const stepNeeded = status !== null && counterStepNeededFirst(status.backend.capabilities, !!sale?.member);
  return capped(Promise.all([stepNeeded ? counterStep : null, sale ? loadOutcome() : null]), FIRST_ANSWERS_CAP_MS);
});

// The UI's language: the one last chosen here, else the terminal's setting, else the browser's.
// Set before any answer can arrive (this runs on, in the same task): the member's words from the
// backend follow the UI's language when it sent that variant.
const chosenHere = savedLanguage(safeLocalStorage());
const startLanguage = chosenHere ?? pickLanguage([navigator.language]);
store.setState({ uiLang: startLanguage });
// A fresh machine takes the terminal's setting (getPreferences needs nobody signed in), so a cashier
// sees the language the manager chose; a choice made here is kept.
const terminalLanguage = chosenHere
  ? null
  : rawApi.getPreferences({}).then(
      (prefs) => prefs.language,
      () => null, // unreachable terminal: keep the browser's; the status bar says what is wrong
    );

/** What the UI (main.tsx) starts with: the guarded API, the started store, the language to start in, the terminal's setting (null: this machine has its own choice) and the first answers (state/first-answers.ts). */
export const boot = { api, store, startLanguage, terminalLanguage, firstAnswers };
export type Boot = typeof boot;
