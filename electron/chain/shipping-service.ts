/**
 * The contract area `shipping` (shared/contract/shipping.ts): owns the
 * shipper's lifecycle. The address comes from start-up (the provisioning
 * file, `--ship-log`) or from Settings (a manager; sealed at rest like the
 * backend's credentials, since it carries a password). A start-up address
 * wins and cannot be changed from the desk. Changing the Settings address
 * restarts shipping at once; every change is logged (never the address's
 * password).
 */
import type { MethodInput } from '../../shared/contract.js';
import { shippingMethods, type ShippingResults, type ShippingView } from '../../shared/contract/shipping.js';
import { PosError } from '../../shared/errors.js';
import type { People } from '../service/people.js';
import type { SecretBox } from '../service/secret-box.js';
import type { Store } from '../store/store.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import { describeTarget } from './pg-errors.js';
import { LogShipper, type ShippingConfig, type ShopIdentity } from './shipper.js';

export type ShippingMethod = keyof typeof shippingMethods;

/** Settings key of the sealed address. */
export const SHIPPING_URL_SETTING = 'shipping_postgres_url';

export interface ShippingServiceOptions {
  people: People;
  secretBox: SecretBox | null;
  shop: ShopIdentity;
  /** From start-up (provisioning file / --ship-log): wins over Settings. */
  startup?: ShippingConfig | null;
  /** Tuning for an address set in Settings (tests). */
  tuning?: ShippingConfig['tuning'];
}

export class ShippingService implements HandlersFor<ShippingMethod> {
  private shipper: LogShipper = LogShipper.disabled();
  private source: ShippingView['source'] = null;

  constructor(
    private readonly store: Store,
    private readonly opts: ShippingServiceOptions,
  ) {}

  /** Starts shipping when an address is configured (start-up first, then Settings). */
  start(): void {
    const startup = this.opts.startup;
    if (startup) {
      this.source = 'start-up';
      this.shipper = LogShipper.start(this.store, startup, this.opts.shop);
      return;
    }
    const url = this.storedUrl();
    if (url) {
      this.source = 'settings';
      this.shipper = LogShipper.start(this.store, { postgresUrl: url, tuning: this.opts.tuning }, this.opts.shop);
    }
  }

  current(): LogShipper {
    return this.shipper;
  }

  async stop(): Promise<void> {
    await this.shipper.stop();
  }

  handlers(): HandlersFor<ShippingMethod> {
    return bindHandlers(this, Object.keys(shippingMethods) as ShippingMethod[]);
  }

  async getShippingState(): Promise<ShippingResults['getShippingState']> {
    const me = this.opts.people.requireSignedIn();
    if (me.role !== 'manager') throw new PosError('MANAGER_REQUIRED', undefined, { details: { action: 'shipping.view' } });
    return this.view();
  }

  async setShippingAddress(input: MethodInput<'setShippingAddress'>): Promise<ShippingResults['setShippingAddress']> {
    const manager = this.opts.people.authorizeManager('shipping.set-address', input.approval);
    if (this.source === 'start-up') {
      throw new PosError('INVALID_INPUT', 'Shipping is set by the provisioning file or the command line on this terminal; change it there.', {
        details: { field: 'postgresUrl' },
      });
    }
    const box = this.opts.secretBox;
    if (input.postgresUrl && !box)
      throw new PosError('INVALID_INPUT', "This terminal has no way to encrypt the address's password, so it cannot be stored.", {
        details: { field: 'postgresUrl' },
      });
    await this.shipper.stop();
    this.store.transaction(() => {
      if (input.postgresUrl) this.store.setSetting(SHIPPING_URL_SETTING, box!.seal(input.postgresUrl));
      else this.store.db.prepare('DELETE FROM settings WHERE key = ?').run(SHIPPING_URL_SETTING);
      this.store.journal.append({
        at: new Date().toISOString(),
        terminalId: this.opts.shop.terminalId,
        actor: this.opts.people.actorId(),
        kind: 'shipping.address-set',
        outcome: 'ok',
        detail: { by: manager.id, target: input.postgresUrl ? describeTarget(input.postgresUrl) : null },
      });
    });
    this.shipper = LogShipper.disabled();
    this.source = null;
    this.start();
    return this.view();
  }

  private view(): ShippingView {
    return { ...this.shipper.state(), source: this.source };
  }

  private storedUrl(): string | null {
    const sealed = this.store.getSetting(SHIPPING_URL_SETTING);
    if (!sealed || !this.opts.secretBox) return null;
    try {
      return this.opts.secretBox.open(sealed);
    } catch {
      return null;
    }
  }
}
