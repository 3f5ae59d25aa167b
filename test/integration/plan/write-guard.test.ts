import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/env.js';
import { connect, type RegisterDb } from '../../../lib/db/connect.js';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { commitPlan, planBuilder, PlanRefusedError, type Plan } from '../../../lib/plan/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

/**
 * The write guard checks the database the commit really writes to, not the configuration's label: with the sandbox
 * configuration only a database carrying the sandbox marker takes a commit; with a DATABASE_URL only the database
 * that URL reaches (as the server reports it).
 */
let marked: TestDatabase;
let other: TestDatabase;

beforeAll(async () => {
  [marked, other] = await Promise.all([createTestDatabase(), createTestDatabase({ sandbox: false })]);
  await Promise.all([seed(marked.db), seed(other.db)]);
}, 60_000);
afterAll(async () => {
  await marked?.drop();
  await other?.drop();
});

const emailOf = async (db: RegisterDb) => (await db.selectFrom('trainees').select('email').where('id', '=', 105).executeTakeFirstOrThrow()).email;
const auditsOf = (db: RegisterDb, plan: Plan) => db.selectFrom('audits').select('id').where('request_uuid', '=', plan.id).execute();
const planFor = async (db: RegisterDb, email: string) => planBuilder('Guard test').update('trainees', 105, { email: await emailOf(db) }, { email }).build();
const withPassword = (url: string) => url.replace('postgres@', 'postgres:pw-never-shown@');

async function refusal(db: RegisterDb, plan: Plan, config: ReturnType<typeof loadConfig>): Promise<PlanRefusedError> {
  const before = await emailOf(db);
  const error = await commitPlan(db, plan, { auditComment: 'guard', config }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PlanRefusedError);
  expect((error as PlanRefusedError).reason).toBe('wrong-database');
  expect(await emailOf(db)).toBe(before);
  expect(await auditsOf(db, plan)).toEqual([]);
  return error as PlanRefusedError;
}

describe('with the sandbox configuration (no DATABASE_URL)', () => {
  const config = loadConfig({ SUPPORT_OPERATOR: 'Gus Guard', SUPPORT_SANDBOX_PORT: '55999' });

  it('refuses a connection to another PostgreSQL: it has no sandbox marker', async () => {
    expect(config).toMatchObject({ database: { kind: 'sandbox' }, writesAllowed: true });
    const error = await refusal(other.db, await planFor(other.db, 'guard@example.com'), config);
    expect(error.message).toBe(
      `Refused: the configuration is the sandbox's (no DATABASE_URL: postgres://postgres@127.0.0.1:55999/postgres), but this commit would write to database "${other.name}" on 127.0.0.1:5432` +
        `${error.message.match(/ \(system \d+\)/)?.[0] ?? ''}, which is not the sandbox (it has no register_support.sandbox marker). Nothing was written. ` +
        'Connect with connect(loadConfig().database.url) to write to the sandbox; to write to that other database on purpose, set DATABASE_URL to it and SUPPORT_ALLOW_WRITES=true.',
    );
  });

  it('commits to a database that carries the marker', async () => {
    const before = await emailOf(marked.db);
    const receipt = await commitPlan(marked.db, await planFor(marked.db, 'marked@example.com'), { auditComment: 'guard', config });
    expect(receipt.rowsChanged).toBe(1);
    expect(await emailOf(marked.db)).toBe('marked@example.com');
    await marked.db.updateTable('trainees').set({ email: before }).where('id', '=', 105).execute();
  });
});

describe('with an external DATABASE_URL and writes allowed', () => {
  it('refuses a connection to another database than DATABASE_URL names, naming both, the password masked', async () => {
    const config = loadConfig({ DATABASE_URL: withPassword(marked.url), SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Gus Guard' });
    const error = await refusal(other.db, await planFor(other.db, 'external@example.com'), config);
    expect(error.message).toMatch(new RegExp(`^Refused: DATABASE_URL names database "${marked.name}" on 127\\.0\\.0\\.1:5432( \\(system \\d+\\))? \\(the sandbox\\) \\(postgres://postgres:\\*\\*\\*\\*\\*@127\\.0\\.0\\.1:5432/${marked.name}\\), but this commit would write to database "${other.name}" on 127\\.0\\.0\\.1:5432`));
    expect(error.message).toContain('Nothing was written.');
    expect(error.message).not.toContain('pw-never-shown');
  });

  it('commits through any connection that reaches that same database, whatever its URL says (localhost or 127.0.0.1)', async () => {
    const config = loadConfig({ DATABASE_URL: other.url, SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Gus Guard' });
    const db = connect(other.url.replace('127.0.0.1', 'localhost'));
    try {
      const before = await emailOf(db);
      expect((await commitPlan(db, await planFor(db, 'same@example.com'), { auditComment: 'guard', config })).rowsChanged).toBe(1);
      await db.updateTable('trainees').set({ email: before }).where('id', '=', 105).execute();
    } finally {
      await db.destroy();
    }
  });

  it('refuses when DATABASE_URL does not answer, so the connection cannot be checked', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://postgres:pw-never-shown@127.0.0.1:1/nowhere', SUPPORT_ALLOW_WRITES: 'true', SUPPORT_OPERATOR: 'Gus Guard' });
    const error = await refusal(other.db, await planFor(other.db, 'unchecked@example.com'), config);
    expect(error.message).toMatch(/^Refused: cannot check that this commit writes to the database DATABASE_URL names \(postgres:\/\/postgres:\*\*\*\*\*@127\.0\.0\.1:1\/nowhere\): it does not answer/);
    expect(error.message).not.toContain('pw-never-shown');
  });
});
