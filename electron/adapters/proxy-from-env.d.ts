/** proxy-from-env 2.x ships no types: its one function, as its README documents it. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTP(S)_PROXY / ALL_PROXY, or '' when none applies (NO_PROXY). */
  export function getProxyForUrl(url: string | URL): string;
}
