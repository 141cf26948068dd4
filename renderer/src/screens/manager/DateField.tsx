import { useRef, useState } from 'react';
import { useTranslation } from '../../i18n/react';
import { LOCALES } from '../../../../shared/i18n/locale';
import { useFmt } from '../../i18n/useFmt';

/**
 * A day, written the way the UI's language writes it (all three write day,
 * month, year: 06/12/2026), kept as YYYY-MM-DD. Chromium's own date field
 * follows the browser's locale, not the page's: on an en-US machine a Dutch
 * manager would read 12/06/2026. The calendar button still opens Chromium's
 * picker; what it picks is shown in the UI's way.
 */
export function DateField({
  value,
  onChange,
  testId,
  optional = false,
}: {
  value: string;
  onChange: (isoDay: string) => void;
  testId?: string;
  optional?: boolean;
}) {
  const { t } = useTranslation();
  const { lang } = useFmt();
  const picker = useRef<HTMLInputElement>(null);
  // What is being typed; null: the value as the UI writes it.
  const [typed, setTyped] = useState<string | null>(null);
  const shown = typed ?? writeDay(value, LOCALES[lang]);
  const empty = typed !== null && typed.trim() === '';
  const bad = typed !== null && readDay(typed) === null && !(optional && empty);
  const pattern = t('dateField.pattern');
  return (
    <span className="date-field">
      <input
        className="field field-small"
        inputMode="numeric"
        value={shown}
        placeholder={pattern}
        aria-invalid={bad}
        title={bad ? t('dateField.invalid', { pattern }) : undefined}
        data-testid={testId}
        data-value={value}
        onChange={(e) => {
          setTyped(e.target.value);
          const day = readDay(e.target.value);
          if (day) onChange(day);
          else if (optional && e.target.value.trim() === '') onChange(''); // no date: no limit
        }}
        onBlur={() => {
          if (!bad) setTyped(null);
        }}
      />
      <button
        type="button"
        className="btn btn-small date-pick"
        aria-label={t('dateField.pick')}
        title={t('dateField.pick')}
        onClick={() => picker.current?.showPicker()}
      >
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <rect x="2" y="3" width="12" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M2 7h12M5 1.5v3M11 1.5v3" stroke="currentColor" strokeWidth="1.6" />
        </svg>
      </button>
      <input
        ref={picker}
        type="date"
        className="date-native"
        tabIndex={-1}
        aria-hidden="true"
        value={value}
        onChange={(e) => {
          if (!e.target.value) return;
          setTyped(null);
          onChange(e.target.value);
        }}
      />
    </span>
  );
}

/** YYYY-MM-DD in the locale's short numeric form; '' when empty or unreadable. */
function writeDay(iso: string, locale: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return '';
  return new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
}

/** Day, month and year with any separator (06/12/2026, 6-12-2026, 6.12.2026) as YYYY-MM-DD; null when no real day. */
export function readDay(text: string): string | null {
  const m = /^\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [d, mo, y] = [+m[1]!, +m[2]!, +m[3]!];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
