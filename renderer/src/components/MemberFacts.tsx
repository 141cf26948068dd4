import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import { usePos } from '../state/context';
import { isClosed } from '../state/store';
import { TID } from '../testids';

/**
 * What the counter must say about the member beside their card: a last known
 * balance (read when, and what this terminal still has to send for them), and
 * a passholder's pass type and social tariff (UiTPAS).
 */
export function MemberFacts() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const sale = usePos((s) => s.sale);
  const member = sale?.member;
  if (!sale || !member || isClosed(sale)) return null;
  const decimals = sale.terms?.decimals ?? 3;
  const tariff = member.socialTariff;
  const showQueued = member.queuedMilli > 0;
  // An individual pass is the usual case: only a group pass is worth a word.
  const group = member.passType === 'GROUP';
  if (!member.lastKnown && !showQueued && !tariff && !group) return null;
  let tariffText: string | null = null;
  if (tariff) {
    if (tariff.status === 'ACTIVE')
      tariffText = tariff.endDate ? t('counter.member.socialActiveUntil', { date: fmt.date(tariff.endDate) }) : t('counter.member.socialActive');
    else if (tariff.status === 'EXPIRED')
      tariffText = tariff.endDate ? t('counter.member.socialExpiredOn', { date: fmt.date(tariff.endDate) }) : t('counter.member.socialExpired');
    else tariffText = t('counter.member.socialNone');
  }
  return (
    <section className="card member-facts" data-testid={TID.memberFacts} aria-label={t('counter.member.socialTariff')}>
      {member.lastKnown && (
        <p className="member-fact member-fact-warn" data-testid={TID.lastKnownAt} data-fetched-at={member.fetchedAt} role="status">
          {t('counter.member.lastKnown', { time: sameDay(member.fetchedAt) ? fmt.time(member.fetchedAt) : fmt.dateTime(member.fetchedAt) })}
        </p>
      )}
      {showQueued && (
        <p className="member-fact member-fact-warn" data-testid={TID.memberQueued} data-milli={member.queuedMilli}>
          {t('counter.member.queued', { points: fmt.points(member.queuedMilli, decimals) })}
        </p>
      )}
      {(tariff || group) && (
        <dl className="passholder">
          {group && (
            <div className="passholder-row">
              <dt className="visually-hidden">{t('counter.member.passGroup')}</dt>
              <dd data-testid={TID.passType} data-pass-type={member.passType}>
                <span className="tag tag-info">{t('counter.member.passGroup')}</span>
              </dd>
            </div>
          )}
          {tariff && tariffText && (
            <div className="passholder-row">
              <dt>{t('counter.member.socialTariff')}</dt>
              <dd data-testid={TID.socialTariff} data-status={tariff.status}>
                <span className={`tag tag-${tariff.status.toLowerCase()}`}>{tariffText}</span>
              </dd>
            </div>
          )}
        </dl>
      )}
    </section>
  );
}

function sameDay(iso: string): boolean {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString();
}
