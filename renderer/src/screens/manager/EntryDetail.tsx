/** A log entry's detail (plain facts the service wrote) as a short list of key: value. */
export function EntryDetail({ detail, compact = false }: { detail: Record<string, unknown>; compact?: boolean }) {
  const entries = Object.entries(detail).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return null;
  return (
    <dl className={compact ? 'detail detail-compact' : 'detail'}>
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
