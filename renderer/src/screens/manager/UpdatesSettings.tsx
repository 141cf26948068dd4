import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { SettingsPatch, SettingsView } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { useDesk } from './desk-context';

export const UPDATES_TID = {
  updateUrl: 'updates-url',
  crashReportUrl: 'updates-crash-url',
  save: 'updates-save',
  state: 'updates-state',
  postponed: 'updates-postponed',
  postponeDay: 'updates-postpone-day',
  postponeWeek: 'updates-postpone-week',
  resume: 'updates-resume',
  problem: 'updates-problem',
} as const;

const DAY_MS = 86_400_000;

/**
 * Settings, "Updates and crash reports": the chain's update server, where
 * crash reports go, what the updater did last, and a manager's postponement
 * (saved like any setting, so it is in the log with who did it). The
 * installed app's shell reads these (maintenance-files.ts); the web host has
 * no updater, so the state line says so.
 */
export function UpdatesSettings({ view, onSaved }: { view: SettingsView; onSaved(v: SettingsView): void }) {
  const { api, asManager } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [updateUrl, setUpdateUrl] = useState(view.updateUrl ?? '');
  const [crashUrl, setCrashUrl] = useState(view.crashReportUrl ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (patch: SettingsPatch, done: string) => {
    setBusy(true);
    setProblem(null);
    setError(null);
    setNotice(null);
    try {
      const next = await asManager((approval) => api.updateSettings({ patch, ...(approval ? { approval } : {}) }), { reason: 'optional' });
      if (next) {
        onSaved(next);
        setNotice(done);
      }
    } catch (e) {
      const info = asErrorInfo(e);
      if (info.code === 'INVALID_INPUT' && info.details?.field) setProblem(info.message);
      else setError(info);
    } finally {
      setBusy(false);
    }
  };

  const saveAddresses = () => {
    const patch: SettingsPatch = {};
    const u = updateUrl.trim() || null;
    const c = crashUrl.trim() || null;
    if (u !== view.updateUrl) patch.updateUrl = u;
    if (c !== view.crashReportUrl) patch.crashReportUrl = c;
    if (Object.keys(patch).length === 0) return setNotice(t('settings.noChanges'));
    void send(patch, patch.crashReportUrl !== undefined ? `${t('settings.saved')} ${t('updates.crashNextStart')}` : t('settings.saved'));
  };
  const postpone = (days: number) => void send({ updatesPostponedUntil: new Date(Date.now() + days * DAY_MS).toISOString() }, t('settings.saved'));

  const s = view.updateState;
  const postponed = view.updatesPostponedUntil && Date.parse(view.updatesPostponedUntil) > Date.now() ? view.updatesPostponedUntil : null;
  return (
    <section className="card" aria-labelledby="updates-title">
      <h2 id="updates-title">{t('updates.title')}</h2>
      <p className="hint">{t('updates.help')}</p>
      <label className="form-label">
        {t('updates.updateUrl')}
        <input
          className="field"
          inputMode="url"
          maxLength={500}
          value={updateUrl}
          data-testid={UPDATES_TID.updateUrl}
          onChange={(e) => setUpdateUrl(e.target.value)}
        />
      </label>
      <label className="form-label">
        {t('updates.crashReportUrl')}
        <input
          className="field"
          inputMode="url"
          maxLength={500}
          value={crashUrl}
          data-testid={UPDATES_TID.crashReportUrl}
          onChange={(e) => setCrashUrl(e.target.value)}
        />
      </label>
      {problem && (
        <p className="field-problem" role="alert" data-testid={UPDATES_TID.problem}>
          {problem}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="btn" disabled={busy} data-testid={UPDATES_TID.save} onClick={saveAddresses}>
          {t('updates.save')}
        </button>
      </div>
      <p className="hint" role="status" data-testid={UPDATES_TID.state}>
        {s ? t(`updates.state.${s.phase}`, { version: s.version ?? '' }) : t('updates.noState')}
        {s?.checkedAt ? ` ${t('updates.checkedAt', { time: fmt.dateTime(s.checkedAt) })}` : ''}
      </p>
      <p className={postponed ? 'message message-warning' : 'hint'} data-testid={UPDATES_TID.postponed}>
        {postponed ? t('updates.postponed', { time: fmt.dateTime(postponed) }) : t('updates.notPostponed')}
      </p>
      <div className="button-row">
        <button type="button" className="btn" disabled={busy} data-testid={UPDATES_TID.postponeDay} onClick={() => postpone(1)}>
          {t('updates.postponeDay')}
        </button>
        <button type="button" className="btn" disabled={busy} data-testid={UPDATES_TID.postponeWeek} onClick={() => postpone(7)}>
          {t('updates.postponeWeek')}
        </button>
        {postponed && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            data-testid={UPDATES_TID.resume}
            onClick={() => void send({ updatesPostponedUntil: null }, t('settings.saved'))}
          >
            {t('updates.resume')}
          </button>
        )}
      </div>
      {notice && (
        <p className="message message-good" role="status">
          {notice}
        </p>
      )}
      {error && <LocalizedError error={error} />}
    </section>
  );
}
