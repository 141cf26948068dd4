import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import { MTID } from '../../manager-testids';
import { dayRange, today } from './dates';
import { DateField } from './DateField';
import { useDesk } from './desk-context';
import { ExportResult, useExport } from './ExportLink';
import { SupportBundle } from './SupportBundle';
import { filterIsEmpty, withoutRange } from './log-filter';

/** The log or the end-of-day summary as CSV, for a chosen range of days. */
export function ExportTab() {
  const { logFilter } = useDesk();
  const { t } = useTranslation();
  const [what, setWhat] = useState<'log' | 'end-of-day'>('log');
  const [fromDay, setFromDay] = useState(today());
  const [toDay, setToDay] = useState(today());
  const [useFilters, setUseFilters] = useState(false);
  const [format, setFormat] = useState<'spreadsheet' | 'rfc4180'>('spreadsheet');
  const [problem, setProblem] = useState<string | null>(null);
  const exp = useExport();
  const filters = withoutRange(logFilter);
  const hasFilters = !filterIsEmpty(filters);

  const submit = () => {
    const range = dayRange(fromDay, toDay);
    if (!range) {
      setProblem(t('log.rangeBad'));
      return;
    }
    setProblem(null);
    void exp.request({ what, format, ...range, ...(what === 'log' && useFilters && hasFilters ? { filter: filters } : {}) });
  };

  return (
    <div className="desk-panel">
      <h1>{t('exportCsv.title')}</h1>
      <p className="hint">{t('exportCsv.help')}</p>
      <form
        className="card form-card"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <fieldset className="radio-row">
          <legend>{t('exportCsv.what')}</legend>
          {(['log', 'end-of-day'] as const).map((w) => (
            <label key={w} className="radio">
              <input type="radio" name="export-what" value={w} checked={what === w} data-testid={`${MTID.exportWhat}-${w}`} onChange={() => setWhat(w)} />
              {w === 'log' ? t('exportCsv.log') : t('exportCsv.endOfDay')}
            </label>
          ))}
        </fieldset>
        <fieldset className="radio-row">
          <legend>{t('exportCsv.format')}</legend>
          {(['spreadsheet', 'rfc4180'] as const).map((f) => (
            <label key={f} className="radio">
              <input
                type="radio"
                name="export-format"
                value={f}
                checked={format === f}
                data-testid={`${MTID.exportFormat}-${f}`}
                onChange={() => setFormat(f)}
              />
              {f === 'spreadsheet' ? t('exportCsv.formatSpreadsheet') : t('exportCsv.formatRfc')}
            </label>
          ))}
        </fieldset>
        <div className="field-pair">
          <label className="form-label">
            {t('exportCsv.from')}
            <DateField value={fromDay} testId={MTID.exportFrom} onChange={setFromDay} />
          </label>
          <label className="form-label">
            {t('exportCsv.to')}
            <DateField value={toDay} testId={MTID.exportTo} onChange={setToDay} />
          </label>
        </div>
        {what === 'log' && (
          <label className="check">
            <input
              type="checkbox"
              checked={useFilters && hasFilters}
              disabled={!hasFilters}
              data-testid={MTID.exportUseFilters}
              onChange={(e) => setUseFilters(e.target.checked)}
            />{' '}
            {t('exportCsv.useLogFilters')}
          </label>
        )}
        {problem && (
          <p className="message message-warning" data-testid={MTID.exportProblem}>
            {problem}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={exp.busy} data-testid={MTID.exportSubmit}>
            {exp.busy ? t('exportCsv.preparing') : t('exportCsv.prepare')}
          </button>
        </div>
      </form>
      <ExportResult ticket={exp.ticket} error={exp.error} onUsed={exp.clear} />
      <SupportBundle />
    </div>
  );
}
