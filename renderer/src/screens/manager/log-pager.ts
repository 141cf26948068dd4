/**
 * Keyset paging of the log for a virtual list: pages of entries (newest
 * first), read by row index, loaded as the list nears the end of what is
 * loaded. Memory stays bounded however far the list scrolls: at most
 * `maxPages` pages keep their entries; others are dropped (least recently
 * shown first) and fetched again when they come back into view. Each page
 * keeps its own cursor (its first entry's seq + 1), so a page fetched again
 * is the same page even while new entries arrive at the top.
 *
 * A new filter starts a new generation: answers for an older one are dropped.
 * Framework-free; the screen reads it through useSyncExternalStore.
 */
import type { DeskLogEntry, LogPage } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';

export type FetchPage = (beforeSeq: number | undefined, limit: number) => Promise<LogPage>;

export interface PagerSnapshot {
  /** Rows known so far (loaded once; some may be dropped and reloading). */
  count: number;
  loading: boolean;
  /** The oldest matching entry is known. */
  done: boolean;
  error: ErrorInfo | null;
  /** Changes with every new filter (the list scrolls back to the top). */
  generation: number;
  /** Changes with every page (the list re-renders). */
  version: number;
}

export interface PagerOptions {
  pageSize?: number;
  /** Load the next page when the list shows a row this close to the end of what is known. */
  prefetchRows?: number;
  /** Pages kept in memory (the rest are fetched again when shown). */
  maxPages?: number;
}

interface Page {
  /** beforeSeq that gives exactly this page again. */
  cursor: number | undefined;
  start: number;
  size: number;
  entries: DeskLogEntry[] | null;
  used: number;
}

export class LogPager {
  private pages: Page[] = [];
  /** The cursor of the next (older) page; undefined before the first. */
  private next: number | undefined = undefined;
  private snapshot: PagerSnapshot = { count: 0, loading: false, done: false, error: null, generation: 0, version: 0 };
  private readonly listeners = new Set<() => void>();
  private fetchPage: FetchPage | null = null;
  private clock = 0;
  private reloading = new Set<number>();
  private visible: [number, number] = [0, 0];
  readonly pageSize: number;
  readonly prefetchRows: number;
  readonly maxPages: number;

  constructor(opts: PagerOptions = {}) {
    this.pageSize = opts.pageSize ?? 500;
    this.prefetchRows = opts.prefetchRows ?? 300;
    this.maxPages = Math.max(2, opts.maxPages ?? 120);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PagerSnapshot => this.snapshot;

  /** Pages holding their entries now (for tests and the memory bound). */
  loadedPages(): number {
    return this.pages.filter((p) => p.entries !== null).length;
  }

  /** The row at `index` (0 = newest), if in memory. */
  get(index: number): DeskLogEntry | undefined {
    const page = this.pageAt(index);
    if (!page?.entries) return undefined;
    page.used = ++this.clock;
    return page.entries[index - page.start];
  }

  /** Starts over with a new query (a new filter), loading its first page. */
  reset(fetchPage: FetchPage): Promise<void> {
    this.fetchPage = fetchPage;
    this.pages = [];
    this.next = undefined;
    this.reloading = new Set();
    this.visible = [0, 0];
    this.set({ count: 0, loading: false, done: false, error: null, generation: this.snapshot.generation + 1 });
    return this.loadMore();
  }

  /**
   * Called with the rows the list shows: fetches dropped pages among them
   * again, and the next page when the end of what is known is near.
   */
  ensure(firstVisible: number, lastVisible: number = firstVisible): void {
    this.visible = [firstVisible, lastVisible];
    const s = this.snapshot;
    if (!this.fetchPage || s.error) return;
    for (let p = this.pageIndex(firstVisible); p >= 0 && p < this.pages.length && this.pages[p]!.start <= lastVisible; p++) {
      if (!this.pages[p]!.entries) void this.reload(p);
    }
    if (!s.loading && !s.done && lastVisible >= s.count - this.prefetchRows) void this.loadMore();
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
        this.pages.push({ cursor: page.entries[0]!.seq + 1, start: this.snapshot.count, size: page.entries.length, entries: page.entries, used: ++this.clock });
        this.evict();
      }
      this.next = page.nextBeforeSeq ?? undefined;
      this.set({ loading: false, count: this.snapshot.count + page.entries.length, done: page.nextBeforeSeq === null });
    } catch (e) {
      if (generation !== this.snapshot.generation) return;
      this.set({ loading: false, error: asErrorInfo(e) });
    }
  }

  private async reload(p: number): Promise<void> {
    const page = this.pages[p];
    const fetchPage = this.fetchPage;
    if (!page || page.entries || !fetchPage || this.reloading.has(p)) return;
    const generation = this.snapshot.generation;
    this.reloading.add(p);
    try {
      const again = await fetchPage(page.cursor, page.size);
      if (generation !== this.snapshot.generation) return;
      page.entries = again.entries.slice(0, page.size);
      page.used = ++this.clock;
      this.evict();
      this.set({});
    } catch (e) {
      if (generation === this.snapshot.generation) this.set({ error: asErrorInfo(e) });
    } finally {
      if (generation === this.snapshot.generation) this.reloading.delete(p);
    }
  }

  /** Drops the least recently shown pages beyond maxPages, never one on screen. */
  private evict(): void {
    const loaded = this.pages.filter((p) => p.entries !== null);
    if (loaded.length <= this.maxPages) return;
    const [a, b] = this.visible;
    const onScreen = (p: Page) => p.start <= b && p.start + p.size > a;
    const candidates = loaded.filter((p) => !onScreen(p)).sort((x, y) => x.used - y.used);
    for (const p of candidates.slice(0, loaded.length - this.maxPages)) p.entries = null;
  }

  private pageIndex(index: number): number {
    let lo = 0;
    let hi = this.pages.length - 1;
    if (hi < 0 || index < 0) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pages[mid]!.start <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private pageAt(index: number): Page | undefined {
    if (index < 0 || index >= this.snapshot.count) return undefined;
    return this.pages[this.pageIndex(index)];
  }

  private set(patch: Partial<PagerSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch, version: this.snapshot.version + 1 };
    for (const l of this.listeners) l();
  }
}
