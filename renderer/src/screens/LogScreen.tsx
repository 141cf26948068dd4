import { formatPoints, centsToDecimalString } from '../../../shared/money';
import { ErrorMessage } from '../components/ErrorMessage';
import { showTime } from '../lib/format';
import { usePos } from '../state/context';
import { TID } from '../testids';

/** Recent log entries, newest first. The manager screen (filters, export, chain check) comes later. */
export function LogScreen() {
  const log = usePos((s) => s.log);
  const load = usePos((s) => s.loadLog);
  const lang = usePos((s) => s.uiLang);
  return (
    <main className="log-screen" data-testid={TID.logScreen}>
      <div className="log-head">
        <h1>Log</h1>
        <button type="button" className="btn" data-testid={TID.logRefresh} disabled={log.loading} onClick={() => void load(false)}>
          {log.loading ? 'Loading…' : 'Refresh'}
        </button>
      </div>
      {log.error && <ErrorMessage error={log.error} lang={lang} />}
      {!log.loading && !log.error && log.entries.length === 0 && <p className="hint">Nothing logged yet.</p>}
      {log.entries.length > 0 && (
        <div className="table-wrap">
          <table className="log-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">What</th>
                <th scope="col">Outcome</th>
                <th scope="col">Member</th>
                <th scope="col" className="num">
                  Points
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Sale</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((e) => (
                <tr key={e.seq} data-testid={TID.logRow} data-kind={e.kind}>
                  <td>{e.seq}</td>
                  <td>{showTime(e.at)}</td>
                  <td>{e.kind}</td>
                  <td>{e.outcome}</td>
                  <td>{e.memberMasked ?? ''}</td>
                  <td className="num">{e.pointsMilli === null ? '' : formatPoints(e.pointsMilli)}</td>
                  <td className="num">{e.amountCents === null ? '' : `${centsToDecimalString(e.amountCents)} ${e.currency ?? ''}`}</td>
                  <td className="mono">{e.saleId ? e.saleId.slice(-8) : ''}</td>
                  <td>{e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasMore && (
        <button type="button" className="btn" data-testid={TID.logMore} disabled={log.loading} onClick={() => void load(true)}>
          Older entries
        </button>
      )}
    </main>
  );
}
