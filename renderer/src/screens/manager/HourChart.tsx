import { useTranslation } from '../../i18n/react';
import type { EndOfDaySummary } from '../../../../shared/contract/manager';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { fullDay, layoutBars } from './chart';

/** The day by hour: redemptions per hour as an SVG bar chart (no chart library). */
export function HourChart({ summary }: { summary: EndOfDaySummary }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const rows = fullDay(summary.byHour);
  const g = layoutBars(rows, (r) => r.redemptions);
  return (
    <figure className="chart" data-testid={MTID.eodChart}>
      <figcaption>{t('endOfDay.chartTitle')}</figcaption>
      <svg viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label={t('endOfDay.chartTitle')} preserveAspectRatio="xMidYMid meet">
        {g.ticks.map((tick) => (
          <g key={tick.value} className="chart-tick">
            <line x1={g.plot.left} x2={g.plot.right} y1={tick.y} y2={tick.y} />
            <text x={g.plot.left - 6} y={tick.y + 4} textAnchor="end">
              {fmt.count(tick.value)}
            </text>
          </g>
        ))}
        {g.bars.map((b, i) => {
          const row = rows[i]!;
          return (
            <g key={b.hour} data-testid={MTID.eodBar} data-hour={b.hour} data-value={b.value}>
              <title>{t('endOfDay.chartBar', { hour: b.hour, count: row.redemptions, amount: fmt.amount(row.discountCents, summary.currency) })}</title>
              <rect className="chart-bar" x={b.x} y={b.y} width={b.width} height={Math.max(b.height, 0)} rx={2} />
              {b.value > 0 && (
                <text className="chart-value" x={b.x + b.width / 2} y={b.y - 3} textAnchor="middle">
                  {b.value}
                </text>
              )}
              {Number(b.hour) % 3 === 0 && (
                <text className="chart-hour" x={b.x + b.width / 2} y={g.plot.bottom + 16} textAnchor="middle">
                  {b.hour}
                </text>
              )}
            </g>
          );
        })}
        <line className="chart-axis" x1={g.plot.left} x2={g.plot.right} y1={g.plot.bottom} y2={g.plot.bottom} />
      </svg>
    </figure>
  );
}
