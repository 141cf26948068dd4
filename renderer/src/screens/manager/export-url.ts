/**
 * Where the browser downloads an export from. The web host serves
 * GET /api/export/<file>.csv?ticket=… and also wants the page's access token
 * (a header, or `token` in the query: a plain link cannot send a header).
 */
import type { ExportTicket } from '../../../../shared/contract/manager';
import { TOKEN_STORAGE_KEY } from '../../api/token';

export function downloadUrl(origin: string, ticket: Pick<ExportTicket, 'path'>, token: string | null): string {
  const url = new URL(ticket.path, origin);
  if (token && !url.searchParams.has('token')) url.searchParams.set('token', token);
  return url.toString();
}

/** The web host's token, as the API client stored it when the page opened. */
export function pageToken(storage: Pick<Storage, 'getItem'> | null): string | null {
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
