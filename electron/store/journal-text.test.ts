/** Review item 12: a lone surrogate in a log field must not make an untouched log look changed. */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { verifyChain } from '../service/log-verify.js';
import { Store } from './store.js';

it('hashes what SQLite stores: an actor with an unpaired surrogate verifies intact', async () => {
  const tmp = makeTempDir();
  const store = Store.open(join(tmp.dir, 'terminal.db'));
  try {
    store.transaction(() => {
      store.journal.append({ at: new Date().toISOString(), terminalId: 'T-1', actor: 'P-\ud800X', kind: 'note', outcome: 'ok', detail: { text: 'a\udc00' } });
      store.journal.append({ at: new Date().toISOString(), terminalId: 'T-1', actor: 'P-2', kind: 'note', outcome: 'ok' });
    });
    expect(store.journal.verify()).toEqual({ intact: true, entries: 2 });
    expect(await verifyChain(store)).toEqual({ intact: true, entries: 2 });
  } finally {
    store.close();
    tmp.cleanup();
  }
});
