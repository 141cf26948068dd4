import { useId, useRef, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from '../i18n/react';
import { MTID } from '../manager-testids';
import { cleanPin, pinComplete, pressPin, PIN_MAX, type PinKey } from '../screens/manager/pin';
import './ManagerApproval.css';
import { useFocusOnMount } from './focus-on-mount';

const KEYS: PinKey[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];

/**
 * A PIN field with a big keypad: tap the keys or type on a keyboard; Enter
 * submits once 4 to 8 digits are in. The digits are never shown, only dots.
 * Used by the sign-in screen and the manager's approval dialog.
 */
export function PinPad(props: {
  value: string;
  onChange: (pin: string) => void;
  onSubmit?: () => void;
  label: string;
  disabled?: boolean;
  inputRef?: RefObject<HTMLInputElement | null>;
  testId?: string;
  autoFocus?: boolean;
}) {
  const { value, onChange, onSubmit, label, disabled, inputRef, testId = MTID.pinInput, autoFocus } = props;
  const { t } = useTranslation();
  const id = useId();
  const ownRef = useRef<HTMLInputElement>(null);
  const ref = inputRef ?? ownRef;
  // Only when the caller asks (as autoFocus did): the manager approval focuses its PIN itself, once a manager is chosen
  // (before that the field is read-only, and digits typed into it would be lost).
  useFocusOnMount(ref, autoFocus === true);
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (pinComplete(value)) onSubmit?.();
    }
  };
  return (
    <div className="pinpad">
      <label htmlFor={id} className="pinpad-label">
        {label}
      </label>
      <input
        id={id}
        ref={ref}
        className="field pinpad-field"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={PIN_MAX}
        value={value}
        // Read-only, not disabled, while busy: a disabled field drops the focus, and the PIN typed
        // after a wrong one would go nowhere.
        readOnly={disabled}
        aria-disabled={disabled || undefined}
        data-testid={testId}
        aria-describedby={`${id}-count`}
        onChange={(e) => onChange(cleanPin(e.target.value))}
        onKeyDown={onKeyDown}
      />
      <span id={`${id}-count`} className="visually-hidden" aria-live="polite">
        {t('common.pinEntered', { count: value.length })}
      </span>
      <div className="pinpad-keys" role="group" aria-label={label}>
        {KEYS.map((k) => (
          <button
            key={k}
            type="button"
            className={`pinpad-key ${k === 'clear' || k === 'back' ? 'pinpad-key-fn' : ''}`}
            data-testid={MTID.pinKey(k)}
            disabled={disabled}
            aria-label={k === 'back' ? t('common.keypadBack') : k === 'clear' ? t('common.keypadClear') : undefined}
            // keep the focus in the field, so a keyboard keeps working
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onChange(pressPin(value, k))}
          >
            {k === 'back' ? '⌫' : k === 'clear' ? t('common.keypadClear') : k}
          </button>
        ))}
      </div>
    </div>
  );
}
