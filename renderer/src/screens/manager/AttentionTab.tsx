import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type { AttentionItem } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';
import { focusOnMount } from '../../components/focus-on-mount';

/** What needs a manager's decision: what happened, what to do, and "mark handled" with what was done. */
export function AttentionTab() {
  const { api, openSale, refreshCounts } = useDesk();
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [includeHandled, setIncludeHandled] = useState(false);
  const key = [...DQK.attention, includeHandled] as const;
  const query = useQuery({ queryKey: key, queryFn: () => api.listAttention({ includeHandled }) });
  const items = query.data?.items ?? null;
  const error = query.error ? asErrorInfo(query.error) : null;
  const load = () => void query.refetch();

  return (
    <div className="desk-panel">
      <div className="desk-head">
        <h1>{t('desk.attention')}</h1>
        <label className="check">
          <input type="checkbox" checked={includeHandled} data-testid={MTID.attentionShowHandled} onChange={(e) => setIncludeHandled(e.target.checked)} />{' '}
          {t('attention.showHandled')}
        </label>
        <button type="button" className="btn btn-small" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      {error && <LocalizedError error={error} />}
      {items?.length === 0 && (
        <p className="empty empty-good" data-testid={MTID.attentionEmpty}>
          {t('attention.none')}
        </p>
      )}
      <div className="cards">
        {items?.map((item) => (
          <AttentionCard
            key={item.item}
            item={item}
            onOpenSale={() => openSale(item.saleId)}
            onHandled={(next) => {
              // Shown as handled at once; the other view (with or without handled items) reads it afresh.
              queries.setQueryData(
                key,
                (r: { items: AttentionItem[] } | undefined) =>
                  r && { ...r, items: r.items.map((x) => (x.item === next.item ? next : x)).filter((x) => includeHandled || !x.handled) },
              );
              void queries.invalidateQueries({ queryKey: [...DQK.attention, !includeHandled] });
              refreshCounts();
            }}
          />
        ))}
      </div>
    </div>
  );
}

function AttentionCard({ item, onOpenSale, onHandled }: { item: AttentionItem; onOpenSale: () => void; onHandled: (item: AttentionItem) => void }) {
  const { api, asManager, approve, me } = useDesk();
  const { t, i18n } = useTranslation();
  const fmt = useFmt();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const todoKey = `attention.whatToDo.${item.kind}`;
  const whatToDo = i18n.exists(todoKey) ? t(todoKey) : item.whatToDo;

  const submit = async () => {
    if (reason.trim().length < 3) {
      setError({ code: 'INVALID_INPUT', message: t('approval.reasonTooShort') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const next = await asManager((approval) => api.markHandled({ item: item.item, reason: reason.trim(), ...(approval ? { approval } : {}) }), {
        reason: 'none',
      });
      if (next) onHandled(next);
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  // Nobody can tell whether it was applied: the manager decides, with a PIN and a reason, and the log says who.
  const decide = async (decision: 'applied' | 'send-again') => {
    setBusy(true);
    setError(null);
    try {
      const title = t(decision === 'applied' ? 'attention.inDoubt.applied' : 'attention.inDoubt.sendAgain');
      let by: ManagerApprovalInput | null = null;
      const done = await approve({ title, reason: 'required' }, (approval) => {
        by = approval;
        return api.resolveInDoubt({ item: item.item, decision, approval: { ...approval, reason: approval.reason ?? '' } });
      });
      if (done && by) {
        const who: ManagerApprovalInput = by;
        const byName =
          who.managerId === me.id ? me.name : ((await api.listPeople({}).catch(() => null))?.people.find((p) => p.id === who.managerId)?.name ?? null);
        onHandled({ ...item, handled: { item: item.item, by: who.managerId, byName, reason: `${title}: ${who.reason ?? ''}`, at: new Date().toISOString() } });
      }
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <article
      className={`card attention attention-${item.kind} ${item.handled ? 'attention-handled' : ''}`}
      data-testid={MTID.attentionItem}
      data-item={item.item}
      data-kind={item.kind}
      data-handled={String(!!item.handled)}
    >
      <header className="attention-head">
        <h2>{t(`attention.kinds.${item.kind}`)}</h2>
        <span className="muted">{t('attention.since', { time: fmt.dateTime(item.since) })}</span>
      </header>
      <p className="attention-facts">
        <button type="button" className="link-button mono" onClick={onOpenSale}>
          {t('sale.title', { id: item.saleId.slice(-8) })}
        </button>
        {item.memberMasked && <span className="mono"> · {item.memberMasked}</span>}
        {item.pointsMilli !== null && (
          <span>
            {' '}
            · {fmt.points(item.pointsMilli)} {t('log.points').toLowerCase()}
          </span>
        )}
        {item.amountAtRiskCents !== null && (
          <strong className="at-risk"> · {t('attention.amountAtRisk', { amount: fmt.amount(item.amountAtRiskCents, item.currency) })}</strong>
        )}
      </p>
      {item.problem && <p className="attention-problem">{t('attention.problem', { problem: item.problem })}</p>}
      <div className="todo">
        <strong>{t('attention.whatToDoTitle')}</strong>
        <p>{whatToDo}</p>
      </div>
      {item.inDoubt && <InDoubtEvidence evidence={item.inDoubt} />}
      {item.inDoubt && !item.handled ? (
        <>
          {error && <LocalizedError error={error} tone="warning" />}
          <div className="button-row">
            <button type="button" className="btn" disabled={busy} data-testid={MTID.attentionApplied} onClick={() => void decide('applied')}>
              {t('attention.inDoubt.applied')}
            </button>
            <button type="button" className="btn" disabled={busy} data-testid={MTID.attentionSendAgain} onClick={() => void decide('send-again')}>
              {t('attention.inDoubt.sendAgain')}
            </button>
          </div>
        </>
      ) : item.handled ? (
        <p className="message message-good">
          {t('attention.handledBy', { name: item.handled.byName ?? item.handled.by, time: fmt.dateTime(item.handled.at), reason: item.handled.reason })}
        </p>
      ) : open ? (
        <form
          className="handle-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className="form-label">
            {t('attention.reason')}
            <textarea
              className="field"
              rows={2}
              maxLength={500}
              ref={focusOnMount}
              value={reason}
              disabled={busy}
              data-testid={MTID.attentionReason}
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          {error && <LocalizedError error={error} tone="warning" />}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.attentionSubmit}>
              {busy ? t('common.working') : t('attention.markHandled')}
            </button>
            <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="button-row">
          <button type="button" className="btn" data-testid={MTID.attentionHandle} onClick={() => setOpen(true)}>
            {t('attention.markHandled')}
          </button>
        </div>
      )}
    </article>
  );
}

/**
 * What was sent and when, until when it could still apply, what each lookup
 * concluded (in the manager's words; the program's own text is kept as
 * technical detail), the balances read: the manager's evidence.
 */
function InDoubtEvidence({ evidence }: { evidence: NonNullable<AttentionItem['inDoubt']> }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const technical = [...evidence.sends.map((s) => s.failure).filter((x): x is string => !!x), ...evidence.lookups.map((l) => l.message)];
  return (
    <div className="evidence" data-testid={MTID.attentionEvidence}>
      <strong>{t('attention.inDoubt.title')}</strong>
      <ul>
        <li className="mono">{t('attention.inDoubt.reference', { reference: evidence.reference })}</li>
        {evidence.sends.map((s, i) => (
          <li key={`s${i}`} data-testid={MTID.attentionSend} data-at={s.at} data-deadline={s.deadline}>
            {t('attention.inDoubt.sentAt', { time: fmt.dateTimeSeconds(s.at), deadline: fmt.dateTimeSeconds(s.deadline) })}
          </li>
        ))}
        {evidence.lookups.map((l, i) => (
          <li key={`l${i}`} data-testid={MTID.attentionLookup} data-outcome={l.outcome} data-status={l.status ?? ''}>
            {t('attention.inDoubt.lookedUp', { time: fmt.dateTimeSeconds(l.at), outcome: t(`attention.inDoubt.outcomes.${l.outcome}`) })}
            {l.status !== undefined && <span className="mono"> (HTTP {l.status})</span>}
            {l.balanceMilli !== undefined && <span> · {t('attention.inDoubt.balanceThen', { points: fmt.points(l.balanceMilli) })}</span>}
          </li>
        ))}
        {evidence.balanceBeforeMilli !== null && (
          <li data-testid={MTID.attentionBalanceBefore} data-milli={evidence.balanceBeforeMilli}>
            {t('attention.inDoubt.balanceBefore', { points: fmt.points(evidence.balanceBeforeMilli) })}
          </li>
        )}
        {evidence.balanceAfterMilli !== null && (
          <li data-testid={MTID.attentionBalanceAfter} data-milli={evidence.balanceAfterMilli}>
            {t('attention.inDoubt.balanceAfter', { points: fmt.points(evidence.balanceAfterMilli) })}
          </li>
        )}
      </ul>
      {technical.length > 0 && (
        <details className="technical">
          <summary>{t('attention.inDoubt.technical')}</summary>
          <ul className="mono">
            {technical.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
