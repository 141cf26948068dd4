import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { OrganizerRewardView, RewardDraft } from '../../../../shared/contract/reward-desk';
import { LIMIT_PERIODS, REWARD_CATEGORIES } from '../../../../shared/reward-fields';
import type { ErrorInfo } from '../../../../shared/errors';
import { parseAmount } from '../../../../shared/money';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { dayEnd, dayOf, dayStart } from './reward-form';
import { focusOnMount } from '../../components/focus-on-mount';

/** The form's fields as typed (strings); turned into a RewardDraft on save. */
interface Form {
  title: string;
  description: string;
  points: string;
  category: string;
  moreInfo: string;
  publishFrom: string;
  publishTo: string;
  redeemFrom: string;
  redeemTo: string;
  units: string;
  limitVolume: string;
  limitPeriod: string;
  discount: string;
}

const EMPTY: Form = {
  title: '',
  description: '',
  points: '',
  category: REWARD_CATEGORIES[0],
  moreInfo: 'https://',
  publishFrom: dayOf(new Date().toISOString()),
  publishTo: '',
  redeemFrom: '',
  redeemTo: '',
  units: '',
  limitVolume: '',
  limitPeriod: 'DAY',
  discount: '',
};

function formOf(r: OrganizerRewardView): Form {
  return {
    title: r.title,
    description: r.promotionalDescription ?? '',
    points: r.points === null ? '' : String(r.points),
    category: r.categories[0] ?? REWARD_CATEGORIES[0],
    moreInfo: r.moreInfoURL ?? '',
    publishFrom: r.publicationPeriod ? dayOf(r.publicationPeriod.begin) : '',
    publishTo: r.publicationPeriod?.end ? dayOf(r.publicationPeriod.end) : '',
    redeemFrom: r.redeemPeriod ? dayOf(r.redeemPeriod.begin) : '',
    redeemTo: r.redeemPeriod?.end ? dayOf(r.redeemPeriod.end) : '',
    units: r.maxAvailableUnits === null ? '' : String(r.maxAvailableUnits),
    limitVolume: r.perMemberLimit ? String(r.perMemberLimit.volume) : '',
    limitPeriod: r.perMemberLimit?.period ?? 'DAY',
    discount: r.discountCents === null ? '' : (r.discountCents / 100).toFixed(2),
  };
}

/**
 * The draft the service checks (it names a bad field); numbers that are not numbers go as
 * NaN so that the service's check names them too, rather than the form guessing.
 */
function draftOf(f: Form, kept: OrganizerRewardView | null): RewardDraft {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s.trim()));
  const period = (from: string, to: string) => ({ begin: dayStart(from), ...(to ? { end: dayEnd(to) } : {}) });
  // An edit keeps a redeem period start UiTPAS has to the second (it may not change after a redemption).
  const redeemBegin = kept?.redeemPeriod && f.redeemFrom === dayOf(kept.redeemPeriod.begin) ? kept.redeemPeriod.begin : null;
  const units = num(f.units);
  const volume = num(f.limitVolume);
  return {
    title: f.title,
    promotionalDescription: f.description,
    points: num(f.points) ?? Number.NaN,
    categories: [f.category as RewardDraft['categories'][number]],
    moreInfoURL: f.moreInfo.trim(),
    publicationPeriod:
      kept?.publicationPeriod && f.publishFrom === dayOf(kept.publicationPeriod.begin)
        ? { ...period(f.publishFrom, f.publishTo), begin: kept.publicationPeriod.begin }
        : period(f.publishFrom, f.publishTo),
    ...(f.redeemFrom ? { redeemPeriod: { ...period(f.redeemFrom, f.redeemTo), ...(redeemBegin ? { begin: redeemBegin } : {}) } } : {}),
    ...(units !== undefined ? { maxAvailableUnits: units } : {}),
    ...(volume !== undefined ? { perMemberLimit: { volume, period: f.limitPeriod as (typeof LIMIT_PERIODS)[number] } } : {}),
  };
}

/** The organizer's UiTPAS points rewards and this counter's discount for each (managers only). */
export function RewardsTab() {
  const { api, asManager, currency } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [rewards, setRewards] = useState<OrganizerRewardView[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** null: no form; 'new'; or the reward being edited. */
  const [editing, setEditing] = useState<'new' | OrganizerRewardView | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setRewards((await api.listOrganizerRewards({})).rewards);
    } catch (e) {
      setError(asErrorInfo(e));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const open = (r: 'new' | OrganizerRewardView) => {
    setEditing(r);
    setForm(r === 'new' ? EMPTY : formOf(r));
    setError(null);
    setNotice(null);
  };

  const save = async () => {
    if (!editing) return;
    setBusy(true);
    setError(null);
    try {
      const discountCents = form.discount.trim() === '' ? null : parseAmount(form.discount, currency).cents;
      const reward = draftOf(form, editing === 'new' ? null : editing);
      const done = await asManager(
        (approval) =>
          editing === 'new'
            ? api.createOrganizerReward({ reward, discountCents, ...(approval ? { approval } : {}) })
            : api.updateOrganizerReward({ rewardId: editing.id, reward, discountCents, ...(approval ? { approval } : {}) }),
        { reason: 'none' },
      );
      if (!done) return;
      setEditing(null);
      setNotice(t('manager.rewards.saved', { title: done.reward.title }));
      await load();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof Form, label: string, props: Record<string, unknown> = {}) => (
    <label className="form-label">
      {label}
      <input
        className="field"
        value={form[key]}
        data-testid={MTID.rewardField(key)}
        onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
        {...props}
      />
    </label>
  );

  return (
    <div className="desk-panel">
      <h1>{t('manager.rewards.title')}</h1>
      <p className="hint">{t('manager.rewards.intro')}</p>
      {notice && (
        <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
          {notice}
        </p>
      )}
      {error && <LocalizedError error={error} />}
      {!editing && (
        <div className="button-row">
          <button type="button" className="btn" data-testid={MTID.rewardNew} onClick={() => open('new')}>
            {t('manager.rewards.new')}
          </button>
        </div>
      )}
      {editing && (
        <form
          className="card form-card"
          data-testid={MTID.rewardForm}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h2>{editing === 'new' ? t('manager.rewards.creating') : t('manager.rewards.editing', { title: editing.title })}</h2>
          {field('title', t('manager.rewards.fieldTitle'), { maxLength: 120, ref: focusOnMount })}
          {field('description', t('manager.rewards.fieldDescription'), { maxLength: 500 })}
          {field('points', t('manager.rewards.fieldPoints'), { inputMode: 'numeric', className: 'field field-small' })}
          <label className="form-label">
            {t('manager.rewards.fieldCategory')}
            <select
              className="field"
              value={form.category}
              data-testid={MTID.rewardField('category')}
              onChange={(e) => setForm((f) => ({ ...f, category: e.target.value }))}
            >
              {REWARD_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          {field('moreInfo', t('manager.rewards.fieldMoreInfo'), { type: 'url', maxLength: 500 })}
          {field('publishFrom', t('manager.rewards.fieldPublishFrom'), { type: 'date' })}
          {field('publishTo', t('manager.rewards.fieldPublishTo'), { type: 'date' })}
          {field('redeemFrom', t('manager.rewards.fieldRedeemFrom'), { type: 'date' })}
          {field('redeemTo', t('manager.rewards.fieldRedeemTo'), { type: 'date' })}
          {field('units', t('manager.rewards.fieldUnits'), { inputMode: 'numeric', className: 'field field-small' })}
          <div className="form-row">
            {field('limitVolume', t('manager.rewards.fieldLimitVolume'), { inputMode: 'numeric', className: 'field field-small' })}
            <label className="form-label">
              {t('manager.rewards.fieldLimitPeriod')}
              <select
                className="field"
                value={form.limitPeriod}
                data-testid={MTID.rewardField('limitPeriod')}
                onChange={(e) => setForm((f) => ({ ...f, limitPeriod: e.target.value }))}
              >
                {LIMIT_PERIODS.map((p) => (
                  <option key={p} value={p}>
                    {t(`manager.rewards.periods.${p}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {field('discount', t('manager.rewards.fieldDiscount'), {
            inputMode: 'decimal',
            className: 'field field-small',
            'aria-describedby': 'reward-discount-help',
          })}
          <p className="hint" id="reward-discount-help">
            {t('manager.rewards.discountHelp')}
          </p>
          {editing !== 'new' && (editing.unitsTaken ?? 0) > 0 && <p className="hint">{t('manager.rewards.notEditableHint')}</p>}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.rewardSave}>
              {t('manager.rewards.save')}
            </button>
            <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => setEditing(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {rewards === null && !error && <p className="muted">{t('manager.rewards.loading')}</p>}
      {rewards?.length === 0 && <p className="muted">{t('manager.rewards.empty')}</p>}
      {rewards && rewards.length > 0 && (
        <div className="table-wrap">
          <table className="desk-table">
            <thead>
              <tr>
                <th scope="col">{t('manager.rewards.colTitle')}</th>
                <th scope="col">{t('manager.rewards.colPoints')}</th>
                <th scope="col">{t('manager.rewards.colDiscount')}</th>
                <th scope="col">{t('manager.rewards.colLimit')}</th>
                <th scope="col">{t('manager.rewards.colUnits')}</th>
                <th scope="col">{t('manager.rewards.colStatus')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('manager.rewards.edit')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rewards.map((r) => (
                <tr key={r.id} data-testid={MTID.rewardRow} data-reward-id={r.id}>
                  <td>
                    <strong>{r.title}</strong>
                  </td>
                  <td className="num">{r.points ?? '—'}</td>
                  <td className="num" data-testid={MTID.rewardDiscount}>
                    {r.discountCents === null ? t('manager.rewards.noDiscount') : fmt.money({ cents: r.discountCents, currency })}
                  </td>
                  <td>
                    {r.perMemberLimit
                      ? t('manager.rewards.limitText', { volume: r.perMemberLimit.volume, period: t(`manager.rewards.periods.${r.perMemberLimit.period}`) })
                      : t('manager.rewards.noLimit')}
                  </td>
                  <td className="num">
                    {r.unitsTaken ?? '—'}
                    {r.maxAvailableUnits !== null && ` / ${r.maxAvailableUnits}`}
                  </td>
                  <td>{r.status ?? '—'}</td>
                  <td className="actions">
                    <button type="button" className="btn btn-small" disabled={busy} data-testid={MTID.rewardEdit} onClick={() => open(r)}>
                      {t('manager.rewards.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
