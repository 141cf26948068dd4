import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from '../../i18n/react';
import { catalogueFor } from '../../i18n';
import type { DeskLogEntry, LogFilter, PersonView } from '../../../../shared/contract/manager';
import { ERROR_CODES } from '../../../../shared/errors';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { isSuspect, useDesk } from './desk-context';
import { DQK } from './desk-queries';
import { DateField } from './DateField';
import { EntryDetail } from './EntryDetail';
import { EMPTY_FILTER_FORM, toLogFilter, type LogFilterForm } from './log-filter';
import { LogPager } from './log-pager';
import { kindWords } from './log-words';

const ROW_HEIGHT = 44;
const NO_PEOPLE: PersonView[] = [];
const OUTCOMES = ['ok', ...ERROR_CODES, 'TAMPERED', 'received', 'stored', 'duplicate'];

/**
 * The log: filters (dates, who, what, outcome, the member's last four, words),
 * newest first, in a virtual list that loads older pages (keyset paging) as it
 * scrolls, so hundreds of thousands of entries scroll as fast as a hundred.
 */
export function LogTab() {
  const { api, setLogFilter, openSale, verifyFinding, logJump } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [form, setForm] = useState<LogFilterForm>(EMPTY_FILTER_FORM);
  const [problem, setProblem] = useState<string | null>(null);
  const people: PersonView[] = useQuery({ queryKey: DQK.people, queryFn: () => api.listPeople({}) }).data?.people ?? NO_PEOPLE;
  const [selected, setSelected] = useState<DeskLogEntry | null>(null);
  const pager = useMemo(() => new LogPager({ pageSize: 500, prefetchRows: 400, maxPages: 80 }), []);
  const snap = useSyncExternalStore(pager.subscribe, pager.getSnapshot);
  const scrollRef = useRef<HTMLDivElement>(null);

  const run = useCallback(
    (filter: LogFilter, startAtSeq?: number) => {
      setLogFilter(filter);
      setSelected(null);
      scrollRef.current?.scrollTo({ top: 0 });
      // From one entry on (a link from the verification): the first page starts just after it.
      const first = startAtSeq !== undefined ? startAtSeq + 1 : undefined;
      void pager
        .reset((beforeSeq, limit) => {
          const before = beforeSeq ?? first;
          return api.queryLog({
            filter,
            limit,
            ...(before ? { beforeSeq: before } : {}),
          });
        })
        .then(() => {
          const top = startAtSeq !== undefined ? pager.get(0) : undefined;
          if (top && top.seq === startAtSeq) setSelected(top);
        });
    },
    [api, pager, setLogFilter],
  );

  // The whole log at first; from one entry on when the verification links to it.
  useEffect(() => {
    if (logJump) setForm(EMPTY_FILTER_FORM);
    run({}, logJump?.seq);
  }, [logJump, run]);

  const apply = (f: LogFilterForm = form) => {
    const r = toLogFilter(f);
    if ('problem' in r) {
      setProblem(t(`log.${r.problem}`));
      return;
    }
    setProblem(null);
    run(r.filter);
  };

  const rowCount = snap.count + (snap.done ? 0 : 1); // a loading row at the end
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const firstIndex = items.length ? items[0]!.index : 0;
  const lastIndex = items.length ? items[items.length - 1]!.index : 0;
  useEffect(() => {
    pager.ensure(firstIndex, lastIndex);
  }, [pager, firstIndex, lastIndex, snap.version]);

  const set = (k: keyof LogFilterForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const kinds = Object.entries(catalogueFor(fmt.lang).logKinds as Record<string, string>).sort((a, b) => a[1].localeCompare(b[1]));
  const decimals = 3;

  return (
    <div className="desk-panel log-panel">
      <form
        className="filters no-print"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <label>
          {t('log.from')}
          <DateField optional value={form.fromDay} testId={MTID.logFrom} onChange={(v) => setForm((f) => ({ ...f, fromDay: v }))} />
        </label>
        <label>
          {t('log.to')}
          <DateField optional value={form.toDay} testId={MTID.logTo} onChange={(v) => setForm((f) => ({ ...f, toDay: v }))} />
        </label>
        <label>
          {t('log.person')}
          <select className="field field-small" value={form.actor} data-testid={MTID.logActor} onChange={set('actor')}>
            <option value="">{t('log.anyPerson')}</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
            <option value="terminal">{t('common.terminal')}</option>
          </select>
        </label>
        <label>
          {t('log.kind')}
          <select className="field field-small" value={form.kind} data-testid={MTID.logKind} onChange={set('kind')}>
            <option value="">{t('log.anyKind')}</option>
            {kinds.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.outcome')}
          <select className="field field-small" value={form.outcome} data-testid={MTID.logOutcome} onChange={set('outcome')}>
            <option value="">{t('log.anyOutcome')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('log.memberLast4')}
          <input
            className="field field-small field-last4"
            maxLength={4}
            autoComplete="off"
            value={form.memberLast4}
            data-testid={MTID.logMember}
            onChange={set('memberLast4')}
          />
        </label>
        <label className="filters-grow">
          {t('log.search')}
          <input type="search" className="field field-small" maxLength={100} value={form.text} data-testid={MTID.logText} onChange={set('text')} />
        </label>
        <div className="filters-buttons">
          <button type="submit" className="btn btn-primary btn-small" data-testid={MTID.logApply}>
            {t('log.apply')}
          </button>
          <button
            type="button"
            className="btn btn-small"
            data-testid={MTID.logClear}
            onClick={() => {
              setForm(EMPTY_FILTER_FORM);
              setProblem(null);
              run({});
            }}
          >
            {t('log.clear')}
          </button>
        </div>
      </form>
      {problem && (
        <p className="message message-warning" data-testid={MTID.logFilterProblem}>
          {problem}
        </p>
      )}
      <div className="log-status">
        <span data-testid={MTID.logCount} data-value={snap.count} data-done={String(snap.done)} data-loading={String(snap.loading)}>
          {t('log.shown', { count: snap.count, n: fmt.count(snap.count) })}
          {snap.done && snap.count > 0 ? ` · ${t('log.end')}` : ''}
        </span>
        {snap.loading && <span className="spinner" aria-hidden="true" />}
        <button type="button" className="btn btn-small" onClick={() => apply()}>
          {t('common.refresh')}
        </button>
      </div>
      {snap.error && (
        <div className="error-row">
          <LocalizedError error={snap.error} />
          <button type="button" className="btn btn-small" onClick={() => void pager.loadMore()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      <div className="vlog" role="table" aria-label={t('desk.log')} aria-rowcount={snap.done ? snap.count : -1}>
        <div className="vlog-row vlog-head" role="row">
          <span role="columnheader">#</span>
          <span role="columnheader">{t('log.time')}</span>
          <span role="columnheader">{t('log.person')}</span>
          <span role="columnheader">{t('log.kind')}</span>
          <span role="columnheader">{t('log.outcome')}</span>
          <span role="columnheader">{t('log.member')}</span>
          <span role="columnheader" className="num">
            {t('log.points')}
          </span>
          <span role="columnheader" className="num">
            {t('log.amount')}
          </span>
          <span role="columnheader">{t('log.sale')}</span>
        </div>
        {/* The table owns rows through row groups only (a screen reader walks them as one table). */}
        <div ref={scrollRef} className="vlog-scroll" role="rowgroup" data-testid={MTID.logList} tabIndex={0}>
          <div role="presentation" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const e = pager.get(v.index);
              const style = {
                transform: `translateY(${v.start}px)`,
                height: ROW_HEIGHT,
              };
              if (!e) {
                return (
                  <div key={`loading-${v.index}`} className="vlog-row vlog-loading" style={style} role="row">
                    <span role="cell">{snap.error ? '' : t('log.loading')}</span>
                  </div>
                );
              }
              return (
                <div
                  key={e.seq}
                  className={`vlog-row ${e.outcome !== 'ok' ? 'vlog-bad' : ''} ${selected?.seq === e.seq ? 'vlog-selected' : ''} ${isSuspect(verifyFinding, e.seq) ? 'vlog-tampered' : ''}`}
                  style={style}
                  role="row"
                  tabIndex={-1}
                  data-testid={MTID.logRow}
                  data-seq={e.seq}
                  data-tampered={String(isSuspect(verifyFinding, e.seq))}
                  data-kind={e.kind}
                  data-outcome={e.outcome}
                  onClick={() => setSelected(e)}
                >
                  <span role="cell" className="mono muted">
                    {e.seq}
                    {isSuspect(verifyFinding, e.seq) && (
                      <span className="tampered-mark" title={t('manager.verify.markTitle')}>
                        {' '}
                        ⚠ {t('manager.verify.mark')}
                      </span>
                    )}
                  </span>
                  <span role="cell">{fmt.dateTime(e.at)}</span>
                  <span role="cell" className="ellipsis">
                    {e.actorName ?? (e.actor === 'terminal' ? t('common.terminal') : e.actor)}
                  </span>
                  <span role="cell" className="ellipsis" title={e.kind}>
                    {kindWords(fmt, e.kind, e.outcome)}
                  </span>
                  {/* Plain words in the list; the code is in the title and the entry's detail view. */}
                  <span role="cell" className={`ellipsis ${e.outcome === 'ok' ? 'muted' : 'outcome-words'}`} title={e.outcome} data-outcome={e.outcome}>
                    {fmt.outcome(e.outcome)}
                  </span>
                  <span role="cell" className="mono">
                    {e.memberMasked ?? ''}
                  </span>
                  <span role="cell" className="num">
                    {e.pointsMilli === null ? '' : fmt.points(e.pointsMilli, decimals)}
                  </span>
                  <span role="cell" className="num">
                    {e.amountCents === null ? '' : fmt.amount(e.amountCents, e.currency ?? 'EUR')}
                  </span>
                  <span role="cell">
                    {e.saleId && (
                      <button
                        type="button"
                        className="link-button mono"
                        onClick={(ev) => {
                          ev.stopPropagation();
                          openSale(e.saleId!);
                        }}
                      >
                        {e.saleId.slice(-8)}
                      </button>
                    )}
                  </span>
                </div>
              );
            })}
          </div>
          {snap.done && snap.count === 0 && <p className="empty">{t('log.noEntries')}</p>}
        </div>
      </div>
      {selected && (
        <aside className="card entry-panel" data-testid={MTID.logEntry} data-seq={selected.seq}>
          <div className="desk-head">
            <h2>
              {t('log.entry', { seq: selected.seq })} · {kindWords(fmt, selected.kind, selected.outcome)}
            </h2>
            {selected.saleId && (
              <button type="button" className="btn btn-small" data-testid={MTID.logOpenSale} onClick={() => openSale(selected.saleId!)}>
                {t('log.openSale')}
              </button>
            )}
            <button type="button" className="btn btn-small btn-secondary" onClick={() => setSelected(null)}>
              {t('common.close')}
            </button>
          </div>
          <p>
            {fmt.dateTime(selected.at)} · {selected.actorName ?? selected.actor} · {selected.terminalId} · {selected.outcome}
          </p>
          {selected.detail && <EntryDetail detail={selected.detail} />}
        </aside>
      )}
    </div>
  );
}
