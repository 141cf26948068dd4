/**
 * The web host's per-start token: it arrives once in the page URL fragment
 * (`#token=...`), is kept in sessionStorage (so a reload keeps working) and is
 * removed from the address bar and history at once.
 */
export const TOKEN_STORAGE_KEY = 'pos.token';

export interface TokenEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export function takeToken(env: TokenEnv): string | null {
  const hash = env.location.hash.replace(/^#/, '');
  const fromHash = hash ? new URLSearchParams(hash).get('token') : null;
  if (fromHash) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // storage disabled: the token lives for this page only
    }
    env.history.replaceState(env.history.state, '', env.location.pathname + env.location.search);
    return fromHash;
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
