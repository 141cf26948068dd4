import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { ShippingView } from '../../../../shared/contract/shipping';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';

/** How often the panel asks again while it is on screen (the shipper pushes nothing). */
const REFRESH_MS = 3000;

/**
 * Shipping the log to the chain's PostgreSQL: where it goes, the last entry
 * the chain confirmed, what is still waiting (and since when), the last
 * error in plain words, entries the chain refused; a manager sets or clears
 * the address here (unless the provisioning file set it).
 */
export function ShippingPanel() {
  const { api } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const queries = useQueryClient();
  // The shipper has no push of its own: the panel reads it again while on screen (TanStack stops while hidden).
  const query = useQuery({ queryKey: DQK.shipping, queryFn: () => api.getShippingState({}), refetchInterval: REFRESH_MS });
  const view = query.data ?? null;
  const setView = (v: ShippingView) => queries.setQueryData(DQK.shipping, v);
  const [address, setAddress] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const error = actionError ?? (query.error ? asErrorInfo(query.error) : null);

  const save = async (postgresUrl: string | null) => {
    setBusy(true);
    setError(null);
    try {
      setView(await api.setShippingAddress({ postgresUrl }));
      setAddress('');
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const age = (s: number) =>
    s < 120
      ? t('shipping.seconds', { count: s })
      : s < 7200
        ? t('shipping.minutes', { count: Math.round(s / 60) })
        : t('shipping.hours', { count: Math.round(s / 3600) });
  const v = view;
  return (
    <section
      className="desk-panel shipping-panel"
      aria-labelledby="shipping-title"
      data-testid={MTID.shippingPanel}
      data-enabled={String(v?.enabled ?? false)}
      data-connected={String(v?.connected ?? false)}
      data-shipped-seq={v?.shippedSeq ?? 0}
      data-head-seq={v?.headSeq ?? 0}
      data-lag={v?.lagEntries ?? 0}
      data-error-kind={v?.lastError?.kind ?? ''}
      data-conflicts={v?.conflicts.length ?? 0}
    >
      <h2 id="shipping-title">{t('shipping.title')}</h2>
      <p className="hint">{t('shipping.help')}</p>
      {v && !v.enabled && <p>{t('shipping.off')}</p>}
      {v?.enabled && (
        <dl className="facts">
          <dt>{t('shipping.target')}</dt>
          <dd>
            {v.target} · {v.connected ? t('shipping.connected') : t('shipping.notConnected')}
          </dd>
          <dt>{t('shipping.lastShipped')}</dt>
          <dd>
            {v.shippedSeq > 0 ? (
              <>
                {t('shipping.lastShippedValue', { seq: fmt.count(v.shippedSeq), head: fmt.count(v.headSeq) })}
                {v.shippedAt && <> · {fmt.dateTime(v.shippedAt)}</>}
              </>
            ) : (
              t('shipping.never')
            )}
          </dd>
          <dt>{t('shipping.lag')}</dt>
          <dd>{v.lagEntries > 0 ? t('shipping.lagValue', { count: v.lagEntries, age: age(v.lagSeconds) }) : t('shipping.upToDate')}</dd>
          <dt>{t('shipping.lastDay')}</dt>
          <dd>{v.lastDayShipped ?? t('shipping.never')}</dd>
        </dl>
      )}
      {v?.lastError && (
        <p className="message-detail error-text" role="alert" data-testid={MTID.shippingError}>
          {t('shipping.lastError')} ({fmt.dateTime(v.lastError.at)}): {v.lastError.message}
        </p>
      )}
      {v && v.conflicts.length > 0 && (
        <>
          <h3>{t('shipping.conflicts')}</h3>
          <ul>
            {v.conflicts.map((c) => (
              <li key={`${c.what}:${c.key}`}>{c.what === 'entry' ? t('shipping.conflictEntry', { key: c.key }) : t('shipping.conflictDay', { key: c.key })}</li>
            ))}
          </ul>
        </>
      )}
      {v?.source === 'start-up' ? (
        <p className="hint">{t('shipping.fromStartup')}</p>
      ) : (
        <form
          className="button-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (address.trim()) void save(address.trim());
          }}
        >
          <label>
            {t('shipping.address')}
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={address}
              placeholder="postgres://…"
              aria-describedby="shipping-address-hint"
              data-testid={MTID.shippingAddress}
              onChange={(e) => setAddress(e.target.value)}
            />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy || !address.trim()} data-testid={MTID.shippingSave}>
            {t('shipping.save')}
          </button>
          {v?.enabled && (
            <button type="button" className="btn" disabled={busy} data-testid={MTID.shippingOff} onClick={() => void save(null)}>
              {t('shipping.switchOff')}
            </button>
          )}
          <span id="shipping-address-hint" className="hint">
            {t('shipping.addressHint')}
          </span>
        </form>
      )}
      {error && <LocalizedError error={error} />}
    </section>
  );
}
