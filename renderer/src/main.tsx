// First: it asks the terminal its first questions before React and the UI run (boot.ts says why).
import { boot, type Boot } from './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
// The runtime's own set-up, before the first render (none on React; a Preact build's: runtime/preact-setup.ts).
import './runtime/setup';
import { createI18nIn, pickLanguage, switchLanguage } from './i18n';
import { ApiProvider } from './screens/manager/api-context';
import { PosProvider } from './state/context';
import { capped, FIRST_ANSWERS_CAP_MS } from './state/first-answers';

async function startApp({ api, store, startLanguage, terminalLanguage, firstAnswers }: Boot): Promise<void> {
  // Its catalogue is a small chunk, unless English; the page paints in it.
  const i18n = await createI18nIn(startLanguage);
  document.documentElement.lang = i18n.language;
  store.setState({ uiLang: pickLanguage([i18n.language]) });
  i18n.on('languageChanged', (lng) => store.setState({ uiLang: pickLanguage([lng]) }));
  // The terminal's setting, before the first paint (briefly): one render in the right language.
  if (terminalLanguage)
    await capped(
      terminalLanguage.then((lang) => lang && switchLanguage(i18n, lang)),
      FIRST_ANSWERS_CAP_MS,
    );
  await firstAnswers;
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
}

void startApp(boot);
