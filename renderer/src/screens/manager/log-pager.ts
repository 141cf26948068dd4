/**
 * Keyset paging of the log for a virtual list: pages of entries (newest
 * first) kept as they came, read by row index, loaded as the list nears the
 * end of what is loaded. A new filter starts a new generation: answers for an
 * older one are dropped. Framework-free; the screen reads it through
 * useSyncExternalStore.
 */
import type { DeskLogEntry, LogPage } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';

export type FetchPage = (beforeSeq: number | undefined, limit: number) => Promise<LogPage>;

export interface PagerSnapshot {
  /** Rows loaded so far. */
  count: number;
  loading: boolean;
  /** The oldest matching entry is loaded. */
  done: boolean;
  error: ErrorInfo | null;
  /** Changes with every new filter (the list scrolls back to the top). */
  generation: number;
  /** Changes with every page (the list re-renders). */
  version: number;
}

export interface PagerOptions {
  pageSize?: number;
  /** Load the next page when the list shows a row this close to the end of what is loaded. */
  prefetchRows?: number;
}

export class LogPager {
  private pages: DeskLogEntry[][] = [];
  private starts: number[] = [];
  private next: number | undefined = undefined;
  private snapshot: PagerSnapshot = { count: 0, loading: false, done: false, error: null, generation: 0, version: 0 };
  private readonly listeners = new Set<() => void>();
  private fetchPage: FetchPage | null = null;
  readonly pageSize: number;
  readonly prefetchRows: number;

  constructor(opts: PagerOptions = {}) {
    this.pageSize = opts.pageSize ?? 500;
    this.prefetchRows = opts.prefetchRows ?? 300;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PagerSnapshot => this.snapshot;

  /** The row at `index` (0 = newest), if loaded. */
  get(index: number): DeskLogEntry | undefined {
    if (index < 0 || index >= this.snapshot.count) return undefined;
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.pages[lo]![index - this.starts[lo]!];
  }

  /** Starts over with a new query (a new filter), loading its first page. */
  reset(fetchPage: FetchPage): Promise<void> {
    this.fetchPage = fetchPage;
    this.pages = [];
    this.starts = [];
    this.next = undefined;
    this.set({ count: 0, loading: false, done: false, error: null, generation: this.snapshot.generation + 1 });
    return this.loadMore();
  }

  /** Called with the last row the list shows: loads the next page when it is near. */
  ensure(lastVisibleIndex: number): void {
    const s = this.snapshot;
    if (s.loading || s.done || s.error || !this.fetchPage) return;
    if (lastVisibleIndex >= s.count - this.prefetchRows) void this.loadMore();
  }

  /** Loads the next (older) page; after an error, tries the same page again. */
  async loadMore(): Promise<void> {
    const s = this.snapshot;
    const fetchPage = this.fetchPage;
    if (!fetchPage || s.loading || s.done) return;
    const generation = s.generation;
    this.set({ loading: true, error: null });
    try {
      const page = await fetchPage(this.next, this.pageSize);
      if (generation !== this.snapshot.generation) return;
      if (page.entries.length > 0) {
        this.starts.push(this.snapshot.count);
        this.pages.push(page.entries);
      }
      this.next = page.nextBeforeSeq ?? undefined;
      this.set({ loading: false, count: this.snapshot.count + page.entries.length, done: page.nextBeforeSeq === null });
    } catch (e) {
      if (generation !== this.snapshot.generation) return;
      this.set({ loading: false, error: asErrorInfo(e) });
    }
  }

  private set(patch: Partial<PagerSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch, version: this.snapshot.version + 1 };
    for (const l of this.listeners) l();
  }
}
