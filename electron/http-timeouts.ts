/**
 * Node enforces a server's headersTimeout and requestTimeout only when it
 * checks its connections, every `connectionsCheckingInterval` (30 s by
 * default): a 5 s limit then fires after up to 30 s. Both servers of the
 * terminal (the web host, the card-linked notice receiver) pass this.
 */
/**
 * How often Node looks for connections past their header/request timeout: a
 * fifth of the shortest limit (at least 50 ms, at most 1 s), so a limit is
 * enforced within 20% of itself (1 s at most).
 */
export function timeoutCheckInterval(shortestTimeoutMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(shortestTimeoutMs / 5)));
}
