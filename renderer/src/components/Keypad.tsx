import { memo } from 'react';
import { useTranslation } from '../i18n/react';
import type { KeypadKey } from '../state/store';
import { TID } from '../testids';

const KEYS: { key: KeypadKey; label: string; id: string; aria?: 'decimalPoint' | 'deleteDigit' }[] = [
  { key: '7', label: '7', id: '7' },
  { key: '8', label: '8', id: '8' },
  { key: '9', label: '9', id: '9' },
  { key: '4', label: '4', id: '4' },
  { key: '5', label: '5', id: '5' },
  { key: '6', label: '6', id: '6' },
  { key: '1', label: '1', id: '1' },
  { key: '2', label: '2', id: '2' },
  { key: '3', label: '3', id: '3' },
  { key: '.', label: '.', id: 'dot', aria: 'decimalPoint' },
  { key: '0', label: '0', id: '0' },
  { key: 'back', label: '⌫', id: 'back', aria: 'deleteDigit' },
];

/** Big touch keys for the points figure. They keep the focus where it is (the points field). */
// memo: the keys change only with `disabled` and the decimals, not with every figure typed.
export const Keypad = memo(function Keypad({ onKey, disabled, decimals }: { onKey: (k: KeypadKey) => void; disabled: boolean; decimals: number }) {
  const { t } = useTranslation();
  return (
    <div className="keypad" role="group" aria-label={t('counter.points.keypad')}>
      {KEYS.map((k) => (
        <button
          key={k.id}
          type="button"
          className="key"
          data-testid={TID.keypad(k.id)}
          aria-label={k.aria ? t(`counter.points.${k.aria}`) : undefined}
          disabled={disabled || (k.key === '.' && decimals === 0)}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onKey(k.key)}
        >
          {k.label}
        </button>
      ))}
      <button
        type="button"
        className="key key-wide"
        data-testid={TID.keypad('clear')}
        disabled={disabled}
        onMouseDown={(e) => e.preventDefault()}
        onClick={() => onKey('clear')}
      >
        {t('counter.points.clear')}
      </button>
    </div>
  );
});
