import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from '../../i18n/react';
import type { SettingsView } from '../../../../shared/contract/manager';
import { LOG_LEVELS } from '../../../../shared/log-levels';
import { LANGUAGES } from '../../../../shared/i18n/locale';
import type { BackendId } from '../../../../shared/domain';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { safeLocalStorage, switchLanguage } from '../../i18n';
import { LocalizedError } from '../../i18n/LocalizedError';
import { MTID } from '../../manager-testids';
import { PROGRAMS } from '../../../../shared/programs';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';
import { UpdatesSettings } from './UpdatesSettings';
import { BACKENDS, formFromView, patchFromForm, type SettingsField, type SettingsForm } from './settings-form';

const BACKEND_NAMES = Object.fromEntries(PROGRAMS.map((p) => [p.id, p.name])) as Record<BackendId, string>;

/** The service's field names (settings-rules.ts) on the form's. */
const FORM_FIELD: Record<string, keyof SettingsForm> = {
  terminalName: 'terminalName',
  storeName: 'storeName',
  maxPointsPerRedemptionMilli: 'maxPointsPerRedemption',
  maxPointsPerMemberMilli: 'maxPointsPerMember',
  maxOutstandingMilli: 'maxOutstanding',
  maxBalanceAgeMinutes: 'maxBalanceAgeMinutes',
  backendUrl: 'backendUrl',
  'printer.host': 'printerHost',
  'printer.devicePath': 'printerDevice',
  logRetentionDays: 'logRetentionDays',
};

/** A field's label key where it is not `settings.<field>`. */
const LABEL_KEY: Partial<Record<SettingsField, string>> = {
  maxBalanceAgeMinutes: 'settings.maxBalanceAge',
  ratePoints: 'settings.rate',
  rateAmount: 'settings.rate',
  logRetentionDays: 'manager.settings.retentionDays',
};

/**
 * Settings (managers): terminal and store names, the language (switches the
 * whole UI), the loyalty program used in training, the redemption rate, the
 * offline limits, the scanner. A program's connection (addresses, ids,
 * secrets) is entered, tested and sealed on the Go live tab only.
 */
export function SettingsTab() {
  const { api, asManager, me } = useDesk();
  const { t, i18n } = useTranslation();
  const queries = useQueryClient();
  const query = useQuery({ queryKey: DQK.settings, queryFn: () => api.getSettings({}) });
  const view = query.data ?? null;
  // The form starts from the settings as read, and is the manager's until saved.
  const [edited, setForm] = useState<SettingsForm | null>(null);
  const form = edited ?? (view ? formFromView(view) : null);
  const [bad, setBad] = useState<{ field: SettingsField; text: string } | null>(null);
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const error = actionError ?? (query.error ? asErrorInfo(query.error) : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [printerNotice, setPrinterNotice] = useState<{ ok: boolean; text: string } | null>(null);

  // The terminal's language is the default for a fresh machine: opening the settings never switches
  // the UI away from the language the person chose (i18n/index.ts).
  const take = (v: SettingsView) => {
    queries.setQueryData(DQK.settings, v);
    setForm(formFromView(v));
  };

  if (!view || !form) return <div className="desk-panel">{error ? <LocalizedError error={error} /> : <p className="hint">{t('common.loading')}</p>}</div>;

  const set = <K extends keyof SettingsForm>(k: K, v: SettingsForm[K]) => {
    setForm({ ...form, [k]: v });
    if (bad?.field === k) setBad(null);
  };
  const text = (k: keyof SettingsForm, label: string, extra: { inputMode?: 'numeric' | 'decimal' | 'url'; maxLength?: number } = {}): ReactNode => (
    <label className={`form-label ${bad?.field === k ? 'has-problem' : ''}`}>
      {label}
      <input
        className="field field-small"
        value={String(form[k])}
        inputMode={extra.inputMode}
        maxLength={extra.maxLength}
        data-testid={MTID.settingsField(k)}
        aria-invalid={bad?.field === k}
        onChange={(e) => set(k, e.target.value as never)}
      />
      {bad?.field === k && <span className="field-problem">{bad.text}</span>}
    </label>
  );

  const save = async () => {
    const r = patchFromForm(form, view);
    if ('problem' in r) {
      const label = t(LABEL_KEY[r.problem.field] ?? `settings.${r.problem.field}`);
      setBad({ field: r.problem.field, text: t(r.problem.key, { field: label, ...r.problem.params }) });
      return;
    }
    setNotice(null);
    setError(null);
    if (Object.keys(r.patch).length === 0) {
      setNotice(t('settings.noChanges'));
      return;
    }
    setBusy(true);
    try {
      const next = await asManager((approval) => api.updateSettings({ patch: r.patch, ...(approval ? { approval } : {}) }), { reason: 'optional' });
      if (next) {
        take(next);
        // The manager just chose the terminal's language: the UI follows (as their own choice too).
        if (r.patch.language) void switchLanguage(i18n, r.patch.language, safeLocalStorage(), me.id);
        setNotice(t('settings.saved'));
        // The status bar shows the new names at once: the service pushes the status when it changes.
      }
    } catch (e) {
      const info = asErrorInfo(e);
      // A field the service refused: say it next to the field, in its words.
      const field = FORM_FIELD[String(info.details?.field ?? '')];
      if (info.code === 'INVALID_INPUT' && field) setBad({ field, text: info.message });
      else setError(info);
    } finally {
      setBusy(false);
    }
  };

  const protection = view.credentialProtection;
  return (
    <div className="desk-panel settings">
      <h1>{t('settings.title')}</h1>
      {view.restartRequired && (
        <p className="message message-warning" role="status">
          {t('settings.restartRequired')}
        </p>
      )}
      <form
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset className="card">
          <legend>{t('settings.terminal')}</legend>
          <p className="hint">{t('settings.terminalId', { id: view.terminalId, currency: view.currency })}</p>
          <div className="field-pair">
            {text('terminalName', t('settings.terminalName'))}
            {text('storeName', t('settings.storeName'))}
            <label className="form-label">
              {t('settings.language')}
              <select
                className="field field-small"
                value={form.language}
                data-testid={MTID.settingsField('language')}
                onChange={(e) => set('language', e.target.value as SettingsForm['language'])}
              >
                {LANGUAGES.map((l) => (
                  <option key={l} value={l}>
                    {t(`languages.${l}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('settings.backend')}</legend>
          <div className="field-pair">
            <label className="form-label">
              {t('settings.backend')}
              <select
                className="field field-small"
                value={form.backend}
                data-testid={MTID.settingsField('backend')}
                onChange={(e) => set('backend', e.target.value as BackendId)}
              >
                {BACKENDS.map((b) => (
                  <option key={b} value={b}>
                    {BACKEND_NAMES[b]}
                  </option>
                ))}
              </select>
            </label>
            {text('backendUrl', t('settings.backendUrl'), { inputMode: 'url', maxLength: 300 })}
          </div>
          <label className="check">
            <input type="checkbox" checked={form.rateOwn} data-testid={MTID.settingsField('rateOwn')} onChange={(e) => set('rateOwn', e.target.checked)} />{' '}
            {t('settings.rateOwn')}
          </label>
          {form.rateOwn ? (
            <div className="field-pair rate-row">
              {text('ratePoints', t('settings.rate'), { inputMode: 'decimal' })}
              <span className="rate-word">{t('settings.ratePoints')}</span>
              {text('rateAmount', view.currency, { inputMode: 'decimal' })}
            </div>
          ) : (
            <p className="hint">{t('settings.rateFromBackend')}</p>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('settings.offlineLimits')}</legend>
          <div className="field-pair">
            {text('maxPointsPerRedemption', t('settings.maxPointsPerRedemption'), { inputMode: 'decimal' })}
            {text('maxPointsPerMember', t('settings.maxPointsPerMember'), { inputMode: 'decimal' })}
            {text('maxOutstanding', t('settings.maxOutstanding'), { inputMode: 'decimal' })}
            {text('maxBalanceAgeMinutes', t('settings.maxBalanceAge'), { inputMode: 'numeric' })}
          </div>
        </fieldset>

        <fieldset className="card">
          <legend>{t('settings.scanner')}</legend>
          <div className="field-pair">
            {text('maxInterKeyMs', t('settings.maxInterKeyMs'), { inputMode: 'numeric' })}
            {text('minLength', t('settings.minLength'), { inputMode: 'numeric' })}
            <label className="form-label">
              {t('settings.suffix')}
              <select
                className="field field-small"
                value={form.suffix}
                data-testid={MTID.settingsField('suffix')}
                onChange={(e) => set('suffix', e.target.value as SettingsForm['suffix'])}
              >
                <option value="Enter">{t('settings.suffixEnter')}</option>
                <option value="Tab">{t('settings.suffixTab')}</option>
                <option value="none">{t('settings.suffixNone')}</option>
              </select>
            </label>
            {text('prefix', t('settings.prefix'), { maxLength: 8 })}
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={form.cameraEnabled}
              data-testid={MTID.settingsField('cameraEnabled')}
              onChange={(e) => set('cameraEnabled', e.target.checked)}
            />{' '}
            {t('settings.camera')}
          </label>
        </fieldset>

        <fieldset className="card">
          <legend>{t('settings.printerTitle')}</legend>
          <div className="field-pair">
            <label className="form-label">
              {t('settings.printerKind')}
              <select
                className="field field-small"
                value={form.printerKind}
                data-testid={MTID.settingsField('printerKind')}
                onChange={(e) => set('printerKind', e.target.value as SettingsForm['printerKind'])}
              >
                {(['none', 'network', 'device'] as const).map((k) => (
                  <option key={k} value={k}>
                    {t(`settings.printerKind_${k}`)}
                  </option>
                ))}
              </select>
            </label>
            {form.printerKind === 'network' && text('printerHost', t('settings.printerHost'), { maxLength: 253 })}
            {form.printerKind === 'network' && text('printerPort', t('settings.printerPort'), { inputMode: 'numeric', maxLength: 5 })}
            {form.printerKind === 'device' && text('printerDevice', t('settings.printerDevice'), { maxLength: 200 })}
            {form.printerKind !== 'none' && (
              <label className="form-label">
                {t('settings.printerPaper')}
                <select
                  className="field field-small"
                  value={form.printerPaper}
                  data-testid={MTID.settingsField('printerPaper')}
                  onChange={(e) => set('printerPaper', Number(e.target.value) as SettingsForm['printerPaper'])}
                >
                  <option value={80}>80</option>
                  <option value={58}>58</option>
                </select>
              </label>
            )}
          </div>
          {form.printerKind !== 'none' && (
            <label className="check">
              <input
                type="checkbox"
                checked={form.printerAutoPrint}
                data-testid={MTID.settingsField('printerAutoPrint')}
                onChange={(e) => set('printerAutoPrint', e.target.checked)}
              />{' '}
              {t('settings.printerAutoPrint')}
            </label>
          )}
          {view.printer.kind !== 'none' && (
            <div className="button-row">
              <button
                type="button"
                className="btn btn-secondary"
                disabled={busy}
                data-testid={MTID.printerTest}
                onClick={() => {
                  setPrinterNotice(null);
                  void api
                    .testPrinter({})
                    .then((r) => setPrinterNotice({ ok: r.printed, text: r.message }))
                    .catch((e) => setPrinterNotice({ ok: false, text: asErrorInfo(e).message }));
                }}
              >
                {t('settings.printerTest')}
              </button>
            </div>
          )}
          {printerNotice && (
            <p className={`message ${printerNotice.ok ? 'message-good' : 'message-warning'}`} role="status" data-testid={MTID.printerNotice}>
              {printerNotice.text}
            </p>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>{t('settings.logTitle')}</legend>
          <label className="form-label">
            {t('settings.logLevel')}
            <select
              className="field field-small"
              value={form.logLevel}
              data-testid={MTID.settingsField('logLevel')}
              onChange={(e) => set('logLevel', e.target.value as SettingsForm['logLevel'])}
            >
              {LOG_LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(`settings.logLevel_${l}`)}
                </option>
              ))}
            </select>
          </label>
          <p className={view.logLevelFixed ? 'message message-warning' : 'hint'}>
            {view.logLevelFixed ? t('settings.logLevelFixed', { level: view.logLevelFixed }) : t('settings.logLevelHint')}
          </p>
        </fieldset>

        <fieldset className="card">
          <legend>{t('manager.settings.retentionTitle')}</legend>
          {text('logRetentionDays', t('manager.settings.retentionDays'), { inputMode: 'numeric', maxLength: 5 })}
          <p className="hint">{t('manager.settings.retentionHelp')}</p>
        </fieldset>

        {notice && (
          <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
            {notice}
          </p>
        )}
        {error && <LocalizedError error={error} />}
        <div className="button-row sticky-save">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.settingsSave}>
            {busy ? t('common.working') : t('settings.save')}
          </button>
        </div>
      </form>

      <UpdatesSettings view={view} onSaved={take} />

      <section className="card credentials">
        <h2>{t('settings.connection')}</h2>
        <p data-testid={MTID.connectionWhere}>{t('settings.connectionOnGoLive')}</p>
        <p className={protection.kind === 'os' ? 'hint' : 'message message-warning'}>
          {protection.kind === 'os'
            ? t('settings.protectionOs')
            : protection.kind === 'file-key'
              ? t('settings.protectionFileKey')
              : t('settings.protectionNone')}
        </p>
      </section>
    </div>
  );
}
