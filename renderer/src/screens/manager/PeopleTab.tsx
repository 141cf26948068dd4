import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { PersonView, Role } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';
import { cleanPin, isLocked, pinComplete } from './pin';
import { focusOnMount } from '../../components/focus-on-mount';

/** People and PINs (managers only): add a cashier or a manager, switch someone off, set a forgotten PIN. */
export function PeopleTab() {
  const { api, me, asManager } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: DQK.people, queryFn: () => api.listPeople({}) });
  const people: PersonView[] | null = list.data?.people ?? null;
  const [actionError, setError] = useState<ErrorInfo | null>(null);
  const error = actionError ?? (list.error ? asErrorInfo(list.error) : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [pin, setPin] = useState('');
  const [pinFor, setPinFor] = useState<PersonView | null>(null);
  const [newPin, setNewPin] = useState('');
  const [busy, setBusy] = useState(false);
  /** What is wrong with a field, said next to it (not at the top of the panel). */
  const [problems, setProblems] = useState<{ name?: string; pin?: string; newPin?: string }>({});
  /** The person about to be switched off: asked first. */
  const [confirmOff, setConfirmOff] = useState<PersonView | null>(null);

  // Every change to a person: the list here, and the names the sales and the log show.
  const load = () => queries.invalidateQueries({ queryKey: DQK.people });

  const act = async (f: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const message = await f();
      if (message) setNotice(message);
      await load();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const add = () =>
    act(async () => {
      const found = { ...(name.trim() ? {} : { name: t('manager.people.nameBlank') }), ...(pinComplete(pin) ? {} : { pin: t('pin.format') }) };
      setProblems(found);
      if (found.name || found.pin) return null;
      const p = await asManager((approval) => api.createPerson({ name: name.trim(), role, pin, ...(approval ? { approval } : {}) }), { reason: 'none' });
      if (!p) return null;
      setName('');
      setPin('');
      return t('people.created', { name: p.name });
    });

  const toggle = (p: PersonView) =>
    act(async () => {
      setConfirmOff(null);
      await asManager((approval) => api.setPersonActive({ personId: p.id, active: !p.active, ...(approval ? { approval } : {}) }), { reason: 'none' });
      return null;
    });

  const savePin = () =>
    act(async () => {
      if (!pinFor) return null;
      if (!pinComplete(newPin)) {
        setProblems({ newPin: t('pin.format') });
        return null;
      }
      setProblems({});
      const p = await asManager((approval) => api.setPersonPin({ personId: pinFor.id, pin: newPin, ...(approval ? { approval } : {}) }), { reason: 'none' });
      if (!p) return null;
      setPinFor(null);
      setNewPin('');
      return t('people.pinSet', { name: p.name });
    });

  const now = Date.now();
  return (
    <div className="desk-panel">
      <h1>{t('people.title')}</h1>
      {notice && (
        <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
          {notice}
        </p>
      )}
      {error && <LocalizedError error={error} />}
      <div className="table-wrap">
        <table className="desk-table">
          <thead>
            <tr>
              <th scope="col">{t('people.name')}</th>
              <th scope="col">{t('people.role')}</th>
              <th scope="col">{t('people.status')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('people.switchOff')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people?.map((p) => (
              <tr key={p.id} data-testid={MTID.personRow} data-person-id={p.id} data-active={String(p.active)} className={p.active ? '' : 'row-off'}>
                <td>
                  <strong>{p.name}</strong> {p.id === me.id && <span className="muted">({t('people.you')})</span>}
                </td>
                <td>
                  <span className={`role-badge role-badge-${p.role}`}>{t(`roles.${p.role}`)}</span>
                </td>
                <td>
                  {p.active ? t('people.active') : t('people.inactive')}
                  {isLocked(p, now) && p.lockedUntil && <div className="warn-text small">{t('people.locked', { time: fmt.time(p.lockedUntil) })}</div>}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy || p.id === me.id}
                    data-testid={MTID.personToggle}
                    onClick={() => (p.active ? setConfirmOff(p) : void toggle(p))}
                  >
                    {p.active ? t('people.switchOff') : t('people.switchOn')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy || !p.active}
                    data-testid={MTID.personResetPin}
                    onClick={() => {
                      setPinFor(p);
                      setNewPin('');
                    }}
                  >
                    {t('people.resetPin')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {confirmOff && (
        <div
          className="card confirm-card"
          role="alertdialog"
          aria-labelledby="confirm-off-title"
          data-testid={MTID.personConfirmOff}
          data-person-id={confirmOff.id}
        >
          <p id="confirm-off-title">
            <strong>{t('manager.people.confirmOff', { name: confirmOff.name })}</strong>
          </p>
          <p className="hint">{t('manager.people.confirmOffHelp')}</p>
          <div className="button-row">
            <button type="button" className="btn btn-danger" disabled={busy} data-testid={MTID.personConfirmOffYes} onClick={() => void toggle(confirmOff)}>
              {t('people.switchOff')}
            </button>
            <button type="button" className="btn btn-secondary" data-testid={MTID.personConfirmOffNo} onClick={() => setConfirmOff(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      {pinFor && (
        <form
          className="card form-card"
          onSubmit={(e) => {
            e.preventDefault();
            void savePin();
          }}
        >
          <h2>{t('people.newPinFor', { name: pinFor.name })}</h2>
          <label className="form-label">
            {t('people.pin')}
            <input
              className="field field-small"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              ref={focusOnMount}
              maxLength={8}
              value={newPin}
              data-testid={MTID.personNewPin}
              aria-invalid={Boolean(problems.newPin)}
              aria-describedby={problems.newPin ? 'new-pin-problem' : undefined}
              onChange={(e) => setNewPin(cleanPin(e.target.value))}
            />
            {problems.newPin && (
              <span className="field-problem" id="new-pin-problem" role="alert" data-testid={MTID.personProblem('newPin')}>
                {problems.newPin}
              </span>
            )}
          </label>
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.personSavePin}>
              {t('people.resetPin')}
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => setPinFor(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}

      <form
        className="card form-card"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <h2>{t('people.add')}</h2>
        <div className="field-pair">
          <label className={`form-label ${problems.name ? 'has-problem' : ''}`}>
            {t('people.name')}
            <input
              className="field field-small"
              maxLength={60}
              autoComplete="off"
              value={name}
              data-testid={MTID.personName}
              aria-invalid={Boolean(problems.name)}
              aria-describedby={problems.name ? 'person-name-problem' : undefined}
              onChange={(e) => setName(e.target.value)}
            />
            {problems.name && (
              <span className="field-problem" id="person-name-problem" role="alert" data-testid={MTID.personProblem('name')}>
                {problems.name}
              </span>
            )}
          </label>
          <label className="form-label">
            {t('people.role')}
            <select className="field field-small" value={role} data-testid={MTID.personRole} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="cashier">{t('roles.cashier')}</option>
              <option value="manager">{t('roles.manager')}</option>
            </select>
          </label>
          <label className={`form-label ${problems.pin ? 'has-problem' : ''}`}>
            {t('people.pin')}
            <input
              className="field field-small"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={pin}
              data-testid={MTID.personPin}
              aria-invalid={Boolean(problems.pin)}
              aria-describedby={problems.pin ? 'person-pin-problem' : undefined}
              onChange={(e) => setPin(cleanPin(e.target.value))}
            />
            {problems.pin && (
              <span className="field-problem" id="person-pin-problem" role="alert" data-testid={MTID.personProblem('pin')}>
                {problems.pin}
              </span>
            )}
          </label>
        </div>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.personAdd}>
            {t('people.add')}
          </button>
        </div>
      </form>
    </div>
  );
}
