import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type { LogFilter, PersonView } from '../../../../shared/contract/manager';
import type { ManagerApprovalProps } from '../../components/ManagerApproval';
import { useManagerApproval } from '../../components/useManagerApproval';
import { MTID } from '../../manager-testids';
import { SignInScreen } from '../SignInScreen';
import { QueryProvider } from '../../api/queries';
import { usePos } from '../../state/context';
import { useApi } from './api-context';
import { AttentionTab } from './AttentionTab';
import { DQK } from './desk-queries';
import { CASHIER_TABS, DESK_TABS, PROGRAM_TABS, DeskContext, type Desk, type DeskTab, type VerifyFinding } from './desk-context';
import { EndOfDayTab } from './EndOfDayTab';
import { ExportTab } from './ExportTab';
import { LogTab } from './LogTab';
import { PeopleTab } from './PeopleTab';
import { needsManager } from './pin';
import { QueueTab } from './QueueTab';
import { RewardsTab } from './RewardsTab';
import { SaleDetail } from './SaleDetail';
import { SalesTab } from './SalesTab';
import { SettingsTab } from './SettingsTab';
import { GoLiveTab } from './GoLiveTab';
import { VerifyTab } from './VerifyTab';
import './desk.css';

export interface ManagerDeskProps {
  /** Who is signed in. A cashier sees today's sales; the rest asks a manager to sign in. */
  me: PersonView;
  currency: string;
  storeName?: string;
  /** Signs a manager in at this terminal (the session's signIn). */
  signIn: (personId: string, pin: string) => Promise<unknown>;
  initialTab?: DeskTab;
  /** The terminal's loyalty program (some tabs are one program's). */
  program?: string;
}

const TAB_KEYS: Record<DeskTab, string> = {
  sales: 'nav.sales',
  log: 'desk.log',
  attention: 'desk.attention',
  queue: 'desk.queue',
  'end-of-day': 'desk.endOfDay',
  export: 'exportCsv.title',
  verify: 'desk.verify',
  people: 'nav.people',
  rewards: 'desk.rewards',
  settings: 'desk.settings',
  golive: 'desk.goLive',
};

/**
 * The manager's desk: sales, the log, what needs attention, the queue, the
 * end of day, export, verification, people and settings. Tabs stay mounted
 * once opened (a list keeps its place); a sale's detail opens over them.
 */
export default function ManagerDesk(props: ManagerDeskProps) {
  return (
    <QueryProvider>
      <DeskScreen {...props} />
    </QueryProvider>
  );
}

function DeskScreen({ me, currency, storeName = '', signIn, initialTab = 'sales', program }: ManagerDeskProps) {
  const api = useApi();
  const { t } = useTranslation();
  const isManager = me.role === 'manager';
  const [tab, setTab] = useState<DeskTab>(initialTab);
  const [opened, setOpened] = useState<ReadonlySet<DeskTab>>(() => new Set([initialTab]));
  const [saleId, setSaleId] = useState<string | null>(null);
  const [logFilter, setLogFilter] = useState<LogFilter>({});
  const [verifyFinding, setVerifyFinding] = useState<VerifyFinding | null>(null);
  const [logJump, setLogJump] = useState<{ seq: number; n: number } | null>(null);
  const approval = useManagerApproval();
  const { run } = approval;
  const queries = useQueryClient();
  // The tab badges: what needs attention and what waits to be sent (managers only).
  const counts = useQuery({
    queryKey: DQK.counts,
    enabled: isManager,
    queryFn: async () => {
      const [a, q] = await Promise.all([api.listAttention({}), api.listQueue({})]);
      return { attention: a.items.length, queue: q.total };
    },
  }).data;
  // The service pushes the status whenever the queue or attention counts move (a row sent, a
  // redemption queued, an item handled anywhere): the lists those counts come from are read again.
  // Nothing on the desk polls.
  const queue = usePos((s) => s.status?.queue);
  const queueKey = queue ? `${queue.waiting}/${queue.attention}` : '';
  const seenQueue = useRef(queueKey);
  useEffect(() => {
    if (!queueKey || queueKey === seenQueue.current) return; // the lists were just read with these counts
    seenQueue.current = queueKey;
    for (const key of [DQK.counts, DQK.queue, DQK.attention, DQK.endOfDay, DQK.sales]) void queries.invalidateQueries({ queryKey: key });
  }, [queueKey, queries]);

  const refreshCounts = useCallback(() => void queries.invalidateQueries({ queryKey: DQK.counts }), [queries]);

  const desk = useMemo<Desk>(() => {
    const approve: Desk['approve'] = (props, action) => run({ preferManagerId: isManager ? me.id : null, ...props }, action);
    return {
      api,
      me,
      isManager,
      currency,
      storeName,
      openSale: setSaleId,
      approve,
      async asManager<T>(action: (a?: ManagerApprovalInput) => Promise<T>, props?: Omit<ManagerApprovalProps, 'onApprove' | 'onCancel'>) {
        try {
          return await action(undefined);
        } catch (e) {
          if (!needsManager(e)) throw e;
          return approve({ reason: 'optional', ...props }, (a) => action(a));
        }
      },
      logFilter,
      setLogFilter,
      refreshCounts,
      verifyFinding,
      setVerifyFinding,
      logJump,
      goToEntry: (seq: number) => {
        setLogJump((j) => ({ seq, n: (j?.n ?? 0) + 1 }));
        setSaleId(null);
        setTab('log');
        setOpened((o) => (o.has('log') ? o : new Set([...o, 'log'])));
      },
    };
  }, [api, me, isManager, currency, storeName, run, logFilter, refreshCounts, verifyFinding, logJump]);

  const go = (next: DeskTab) => {
    setSaleId(null);
    setTab(next);
    setOpened((s) => (s.has(next) ? s : new Set([...s, next])));
  };

  const tabs = DESK_TABS.filter((x) => PROGRAM_TABS[x] === undefined || PROGRAM_TABS[x] === program);
  const allowed = (x: DeskTab) => isManager || CASHIER_TABS.has(x);
  const body = (x: DeskTab) => {
    if (!allowed(x)) return <ManagerGate signIn={signIn} />;
    switch (x) {
      case 'sales':
        return <SalesTab />;
      case 'log':
        return <LogTab />;
      case 'attention':
        return <AttentionTab />;
      case 'queue':
        return <QueueTab />;
      case 'end-of-day':
        return <EndOfDayTab />;
      case 'export':
        return <ExportTab />;
      case 'verify':
        return <VerifyTab />;
      case 'people':
        return <PeopleTab />;
      case 'rewards':
        return <RewardsTab />;
      case 'settings':
        return <SettingsTab />;
      case 'golive':
        return <GoLiveTab />;
    }
  };

  return (
    <DeskContext.Provider value={desk}>
      <main className="desk" data-testid={MTID.desk} data-role={me.role}>
        <nav className="desk-tabs no-print" aria-label={t('desk.title')}>
          {tabs.map((x) => (
            <button
              key={x}
              type="button"
              className={`desk-tab ${tab === x && !saleId ? 'desk-tab-on' : ''} ${allowed(x) ? '' : 'desk-tab-locked'}`}
              aria-current={tab === x && !saleId ? 'page' : undefined}
              data-testid={MTID.deskTab(x)}
              onClick={() => go(x)}
            >
              {t(TAB_KEYS[x])}
              {x === 'attention' && counts && counts.attention > 0 && <span className="badge badge-bad">{counts.attention}</span>}
              {x === 'queue' && counts && counts.queue > 0 && <span className="badge badge-warn">{counts.queue}</span>}
              {!allowed(x) && <LockIcon />}
            </button>
          ))}
        </nav>
        {saleId && <SaleDetail key={saleId} saleId={saleId} onClose={() => setSaleId(null)} />}
        {tabs
          .filter((x) => opened.has(x))
          .map((x) => (
            <section key={`${x}-${allowed(x)}`} className="desk-body" hidden={tab !== x || saleId !== null} aria-label={t(TAB_KEYS[x])}>
              {body(x)}
            </section>
          ))}
        {approval.dialog}
      </main>
    </DeskContext.Provider>
  );
}

function LockIcon() {
  return (
    <svg className="lock-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
      <path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.8" />
    </svg>
  );
}

/** A cashier opened a manager's view: a manager signs in here. */
function ManagerGate({ signIn }: { signIn: ManagerDeskProps['signIn'] }) {
  return (
    <div className="manager-gate" data-testid={MTID.managerGate}>
      <SignInScreen signIn={signIn} managersOnly />
    </div>
  );
}
