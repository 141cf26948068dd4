/**
 * Whether the loyalty backend is reachable, judged from the outcomes of real
 * requests (not from the operating system's idea of the network), plus a
 * light periodic probe while offline so the terminal notices the way back.
 */
import { TRANSIENT_CODES, type ErrorCode } from '../../shared/errors.js';

export interface ConnectivityOptions {
  probe: () => Promise<void>;
  onChange: (online: boolean) => void;
  /** Sends started failing, or got through again (reads may work all along). */
  onSendingChange?: (failing: boolean) => void;
  /** How often to probe while offline. */
  probeIntervalMs?: number;
  now?: () => number;
}

export class Connectivity {
  private _online = true;
  private _lastContactAt: number | null = null;
  private _sendingFails = false;
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private readonly probeIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ConnectivityOptions) {
    this.probeIntervalMs = opts.probeIntervalMs ?? 3000;
    this.now = opts.now ?? Date.now;
  }

  get online(): boolean {
    return this._online;
  }

  get lastContactAt(): number | null {
    return this._lastContactAt;
  }

  /**
   * The last send did not get through (while reads may still work): the
   * counter must not call the program simply "online" then.
   */
  get sendingFails(): boolean {
    return this._sendingFails;
  }

  reportSendOutcome(gotThrough: boolean): void {
    if (this._sendingFails === !gotThrough) return;
    this._sendingFails = !gotThrough;
    this.opts.onSendingChange?.(this._sendingFails);
  }

  /** The backend answered (whatever it said: a refusal is still an answer). */
  reportAnswer(): void {
    this._lastContactAt = this.now();
    this.set(true);
  }

  /** A request failed; only reachability failures make the terminal offline. */
  reportFailure(code: ErrorCode): void {
    if (code === 'BACKEND_RATE_LIMITED') {
      this._lastContactAt = this.now(); // it answered, it is just busy
      return;
    }
    if (TRANSIENT_CODES.has(code)) this.set(false);
    else this.reportAnswer();
  }

  private set(online: boolean): void {
    if (online === this._online) return;
    this._online = online;
    if (online) this.stopProbing();
    else this.startProbing();
    this.opts.onChange(online);
  }

  private startProbing(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.probeOnce(), this.probeIntervalMs);
    this.timer.unref();
  }

  private stopProbing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async probeOnce(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.opts.probe();
      this.reportAnswer();
    } catch (e) {
      const code = (e as { code?: ErrorCode }).code;
      if (code && !TRANSIENT_CODES.has(code)) this.reportAnswer();
    } finally {
      this.probing = false;
    }
  }

  stop(): void {
    this.stopProbing();
  }
}
