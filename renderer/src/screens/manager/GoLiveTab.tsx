import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { ConnectionTestResult } from '../../../../shared/connection-test';
import type { GoLiveView } from '../../../../shared/contract/golive';
import type { ErrorInfo } from '../../../../shared/errors';
import { allFields, PROGRAMS, programOf, type ConnectionField, type ProgramEnvironment, type ProgramId } from '../../../../shared/programs';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';

/** Test ids of the go-live tab (e2e). */
export const GOLIVE_TID = {
  program: 'golive-program',
  field: (key: string) => `golive-field-${key}`,
  fillHosts: (env: string) => `golive-fill-${env}`,
  test: 'golive-test',
  result: 'golive-result',
  goLive: 'golive-go',
  back: 'golive-back',
  mode: 'golive-mode',
} as const;

/**
 * Going live (managers): the program's connection fields, named as in its
 * documentation and drawn from its descriptor; secrets typed in password
 * fields and never shown back (a stored one is kept when left empty).
 * "Test connection" runs read-only calls and says which step failed; only a
 * passing test of exactly these values enables "Go live", which asks for a
 * manager's PIN. Live, the tab offers the way back to training.
 */
const NO_VALUES: Record<string, string> = {};

export function GoLiveTab() {
  const { api, approve, me } = useDesk();
  const { t } = useTranslation();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: DQK.goLive, queryFn: () => api.getGoLive({}) });
  const view = query.data ?? null;
  const setView = (v: GoLiveView) => queries.setQueryData(DQK.goLive, v);
  // What the manager typed; until then, the stored connection (without its secrets).
  const [draft, setDraft] = useState<{ program: ProgramId; values: Record<string, string> } | null>(null);
  const program = draft?.program ?? view?.connection?.program ?? PROGRAMS[0].id;
  const values = draft?.values ?? view?.connection?.values ?? NO_VALUES;
  const setValues = (next: Record<string, string> | ((v: Record<string, string>) => Record<string, string>)) =>
    setDraft({ program, values: typeof next === 'function' ? next(values) : next });
  const [result, setResult] = useState<{ for: string; test: ConnectionTestResult } | null>(null);
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const error = actionError ?? (query.error ? asErrorInfo(query.error) : null);
  const [busy, setBusy] = useState(false);

  const descriptor = programOf(program);
  const fields = allFields(descriptor);
  const typed = useMemo(() => JSON.stringify({ program, values }), [program, values]);
  const storedSecrets = view?.connection?.program === program ? view.connection.secretsSet : [];
  const passed = result?.for === typed && result.test.ok;

  const choose = (p: ProgramId) => {
    setDraft({ program: p, values: view?.connection?.program === p ? { ...view.connection.values } : {} });
    setResult(null);
  };
  const fill = (env: ProgramEnvironment) => setValues((v) => ({ ...v, ...(descriptor.hosts?.[env] ?? {}) }));

  const runTest = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult({ for: typed, test: await api.testConnection({ program, values }) });
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const goLive = async () => {
    setError(null);
    try {
      const next = await approve({ title: t('goLive.approveTitle', { program: descriptor.name }), reason: 'optional', preferManagerId: me.id }, (approval) =>
        api.goLive({ program, values, approval }),
      );
      if (next) {
        setView(next);
        // The typed secrets leave the screen: what is kept is sealed at the terminal.
        setDraft(null);
        setResult(null);
      }
    } catch (e) {
      setError(asErrorInfo(e));
    }
  };

  const back = async () => {
    setError(null);
    try {
      const next = await approve({ title: t('goLive.backTitle'), reason: 'optional', preferManagerId: me.id }, (approval) => api.backToTraining({ approval }));
      if (next) setView(next);
    } catch (e) {
      setError(asErrorInfo(e));
    }
  };

  const input = (f: ConnectionField) => {
    const secret = f.kind === 'secret';
    return (
      <label key={f.key} className="form-label">
        {f.label}
        {f.required ? ' *' : ''}
        {f.kind === 'pem' ? (
          <textarea
            className="field field-pem"
            rows={4}
            spellCheck={false}
            data-testid={GOLIVE_TID.field(f.key)}
            value={values[f.key] ?? ''}
            placeholder="-----BEGIN CERTIFICATE-----"
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
          />
        ) : (
          <input
            className="field"
            type={secret ? 'password' : 'text'}
            autoComplete={secret ? 'new-password' : 'off'}
            data-testid={GOLIVE_TID.field(f.key)}
            value={values[f.key] ?? ''}
            placeholder={secret && storedSecrets.includes(f.key) ? t('goLive.secretKept') : (f.default ?? '')}
            onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
          />
        )}
        <span className="hint">{f.help}</span>
      </label>
    );
  };

  return (
    <section className="desk-section" aria-labelledby="golive-title">
      <h2 id="golive-title">{t('desk.goLive')}</h2>
      <p data-testid={GOLIVE_TID.mode} data-mode={view?.mode ?? ''}>
        {view?.mode === 'live'
          ? t('goLive.isLive', {
              program: view.connection ? programOf(view.connection.program).name : '',
              environment: view.connection?.environment ? t(`goLive.env.${view.connection.environment}`) : t('goLive.env.other'),
            })
          : t('goLive.isTraining')}
      </p>
      {view?.mode === 'live' && (
        <p>
          <button type="button" className="btn" data-testid={GOLIVE_TID.back} onClick={() => void back()}>
            {t('goLive.backToTraining')}
          </button>
        </p>
      )}
      {view && (view.queue.waiting > 0 || view.queue.attention > 0) && (
        <p className="hint">{t('goLive.queueBlocks', { waiting: view.queue.waiting, attention: view.queue.attention })}</p>
      )}
      <fieldset className="card">
        <legend>{t('goLive.program')}</legend>
        <select
          className="field field-small"
          aria-label={t('goLive.program')}
          value={program}
          data-testid={GOLIVE_TID.program}
          onChange={(e) => choose(e.target.value as ProgramId)}
        >
          {PROGRAMS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {(['test', 'production'] as const)
          .filter((env) => descriptor.hosts?.[env])
          .map((env) => (
            <button key={env} type="button" className="btn" data-testid={GOLIVE_TID.fillHosts(env)} onClick={() => fill(env)}>
              {t('goLive.fillHosts', { environment: t(`goLive.env.${env}`) })}
            </button>
          ))}
        <div className="field-grid">{fields.map(input)}</div>
      </fieldset>
      <p>
        <button type="button" className="btn" data-testid={GOLIVE_TID.test} disabled={busy} onClick={() => void runTest()}>
          {t('goLive.test')}
        </button>{' '}
        <button type="button" className="btn btn-primary" data-testid={GOLIVE_TID.goLive} disabled={!passed || busy} onClick={() => void goLive()}>
          {t('goLive.go')}
        </button>
      </p>
      {result && result.for === typed && (
        <div
          className={`card ${result.test.ok ? 'ok' : 'bad'}`}
          role="status"
          data-testid={GOLIVE_TID.result}
          data-ok={String(result.test.ok)}
          data-step={result.test.failed?.step ?? ''}
        >
          <strong>{result.test.ok ? t('goLive.passed') : t('goLive.failed', { step: t(`goLive.step.${result.test.failed?.step ?? 'api'}`) })}</strong>
          <ul>
            {result.test.steps.map((s) => (
              <li key={s.step} data-ok={String(s.ok)}>
                {s.ok ? '✓' : '✗'} {t(`goLive.step.${s.step}`)}: {s.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && <LocalizedError error={error} />}
    </section>
  );
}
