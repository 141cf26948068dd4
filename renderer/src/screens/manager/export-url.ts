/**
 * Where the browser downloads an export from: GET /api/export/<file>.csv?ticket=…
 * The one-time ticket (valid a minute) is the whole credential: the page's
 * session token never goes into a link, which would keep it in the browser's
 * download history.
 */
import type { ExportTicket } from '../../../../shared/contract/manager';

export function downloadUrl(origin: string, ticket: Pick<ExportTicket, 'path'>): string {
  return new URL(ticket.path, origin).toString();
}
