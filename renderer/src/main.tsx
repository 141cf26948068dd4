import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './api';
import { detectUiLanguage } from './lib/format';
import { PosProvider } from './state/context';
import { createPosStore } from './state/store';
import './styles.css';

// Read (and hide) the web host's token before anything else runs.
const { api, transport } = connect();

function sessionMemory(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const store = createPosStore({
  api,
  subscribe: (listener, onConnection) => transport.subscribe(listener, onConnection),
  // The UI's own language (its strings are English today); the member's words follow it when the backend sends them.
  uiLang: detectUiLanguage([document.documentElement.lang]),
  memory: sessionMemory(),
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PosProvider store={store}>
      <App />
    </PosProvider>
  </StrictMode>,
);
