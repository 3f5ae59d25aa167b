import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../notebooks/suite.js';
import { connect, databaseIdentity } from '../../../lib/db/index.js';
import { loadConfig } from '../../../lib/config/env.js';
import { commitPlan, planBuilder } from '../../../lib/plan/index.js';
import { startSandboxDatabase } from '../../../lib/sandbox/database.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { traineeTimeline } from '../../../lib/trainees/timeline.js';

describe('the embedded PGlite sandbox', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-pglite-'));
  let port: number;
  beforeAll(async () => {
    port = await freePort(); // not a random guess: it may be taken
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates, migrates and seeds on first start, keeps the data across restarts, and serves several clients', async () => {
    const first = await startSandboxDatabase({ dataDir, port });
    expect(first.created).toBe(true);
    const db = connect(first.url);
    try {
      const slug = scenario('route-change').slug!;
      await db.updateTable('trainees').set({ email: 'changed@example.com' }).where('slug', '=', slug).execute();
      // Two clients at once, one of them in a transaction.
      const [a, b] = await Promise.all([
        db.transaction().execute((trx) => trx.selectFrom('trainees').select('email').where('slug', '=', slug).executeTakeFirstOrThrow()),
        db.selectFrom('providers').select('name').where('id', '=', 1).executeTakeFirstOrThrow(),
      ]);
      expect(a.email).toBe('changed@example.com');
      expect(b.name).toBe('Lakeside SCITT');
      // citext: slugs match whatever their case.
      const upper = await db.selectFrom('trainees').select('id').where('slug', '=', slug.toUpperCase()).executeTakeFirst();
      expect(upper?.id).toBe(101);
    } finally {
      await db.destroy();
      await first.stop();
    }

    const second = await startSandboxDatabase({ dataDir, port });
    expect(second.created).toBe(false);
    const db2 = connect(second.url);
    try {
      const row = await db2.selectFrom('trainees').select('email').where('id', '=', 101).executeTakeFirstOrThrow();
      expect(row.email).toBe('changed@example.com');
      const timeline = await traineeTimeline(db2, scenario('timeline').slug!);
      expect(timeline.summary.state).toBe('trn_received');
      // The sandbox carries its marker, so a commit with the sandbox configuration is accepted here (and only here).
      expect(await databaseIdentity(db2)).toMatchObject({ database: 'postgres', sandbox: true });
      const config = loadConfig({ SUPPORT_OPERATOR: 'Pat Pglite', SUPPORT_SANDBOX_PORT: String(port) });
      const plan = planBuilder('PGlite commit').update('trainees', 101, { email: 'changed@example.com' }, { email: 'committed@example.com' }).build();
      expect((await commitPlan(db2, plan, { auditComment: 'on the sandbox', config })).rowsChanged).toBe(1);
    } finally {
      await db2.destroy();
      await second.stop();
    }
  }, 60_000);
});
