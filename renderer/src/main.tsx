// First: it asks the terminal its first questions before React and the UI run (boot.ts says why).
import { boot, type Boot } from './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
// The runtime's own set-up, before the first render (none on React; a Preact build's: runtime/preact-setup.ts).
import './runtime/setup';
import { createUiTextsIn, switchLanguage } from './i18n';
import { TextsProvider } from './i18n/react';
import { ApiProvider } from './screens/manager/api-context';
import { PosProvider } from './state/context';
import { capped, FIRST_ANSWERS_CAP_MS } from './state/first-answers';

async function startApp({ api, store, startLanguage, terminalLanguage, firstAnswers }: Boot): Promise<void> {
  // Its catalogue is a small chunk, unless English; the page paints in it.
  const texts = await createUiTextsIn(startLanguage);
  document.documentElement.lang = texts.language;
  store.setState({ uiLang: texts.language });
  texts.onLanguageChanged((lang) => store.setState({ uiLang: lang }));
  // The terminal's setting, before the first paint (briefly): one render in the right language.
  if (terminalLanguage)
    await capped(
      terminalLanguage.then((lang) => lang && switchLanguage(texts, lang)),
      FIRST_ANSWERS_CAP_MS,
    );
  await firstAnswers;
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <TextsProvider texts={texts}>
        <ApiProvider api={api}>
          <PosProvider store={store}>
            <App />
          </PosProvider>
        </ApiProvider>
      </TextsProvider>
    </StrictMode>,
  );
}

void startApp(boot);
