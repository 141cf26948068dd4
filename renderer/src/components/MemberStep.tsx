import { useRef, type FormEvent } from 'react';
import { showMoney, showPoints } from '../lib/format';
import { useFocusRequest, usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';

export function MemberStep() {
  const ref = useRef<HTMLInputElement>(null);
  useFocusRequest('member', ref);
  const text = usePos((s) => s.memberText);
  const setText = usePos((s) => s.setMemberText);
  const identify = usePos((s) => s.identify);
  const sale = usePos((s) => s.sale);
  const status = usePos((s) => s.status);
  const busy = usePos((s) => s.busy);
  const pending = usePos((s) => s.pendingMember);
  const { canIdentify } = saleActions(sale);
  const disabled = !status || !canIdentify;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void identify(text, 'keyboard');
  };
  return (
    <form className="step" onSubmit={onSubmit} aria-labelledby="member-label">
      <label className="step-label" id="member-label" htmlFor="member-input">
        <span className="step-no">2</span> Member card
      </label>
      <div className="field-row">
        <input
          id="member-input"
          ref={ref}
          className="field"
          data-testid={TID.memberInput}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder="Scan, or type the number"
          value={text}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn" data-testid={TID.identifyButton} disabled={disabled || busy !== null}>
          {busy === 'identify' ? 'Looking up…' : 'Find'}
        </button>
      </div>
      {busy === 'identify' && (
        <p className="hint loading-line" role="status">
          <span className="spinner" aria-hidden="true" /> Fetching the member's balance…
        </p>
      )}
      {pending && <p className="hint">Card read — it is looked up as soon as the basket total is entered.</p>}
      <MemberCard />
    </form>
  );
}

function MemberCard() {
  const sale = usePos((s) => s.sale);
  const member = sale?.member;
  if (!sale || !member) return null;
  const decimals = sale.terms?.decimals ?? 3;
  return (
    <section className="card member-card" data-testid={TID.memberCard} aria-label="Member">
      <div className="member-id">
        <span data-testid={TID.memberMasked}>{member.masked}</span>
        {member.firstName && (
          <span className="member-name" data-testid={TID.memberName}>
            {member.firstName}
          </span>
        )}
      </div>
      <div className="member-balance">
        <span className="big-figure" data-testid={TID.balance} data-milli={member.balanceMilli}>
          {showPoints(member.balanceMilli, decimals)}
        </span>{' '}
        points
        <span className="muted">
          {' '}
          worth{' '}
          <strong data-testid={TID.balanceValue} data-cents={member.balanceValue.cents}>
            {showMoney(member.balanceValue)}
          </strong>
        </span>
      </div>
      {member.lastKnown && (
        <p className="message message-warning" data-testid={TID.balanceLastKnown}>
          Last known balance (the loyalty program cannot be reached right now).
        </p>
      )}
      {member.messages.map((m, i) => (
        <p key={i} className={`backend-message backend-${m.level.toLowerCase()}`} data-testid={TID.backendMessage}>
          {m.text}
        </p>
      ))}
    </section>
  );
}
