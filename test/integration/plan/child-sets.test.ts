import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seed, scenario } from '../../../lib/sandbox/seed/index.js';
import { commitPlan, previewPlan, PlanRefusedError, type Plan } from '../../../lib/plan/index.js';
import { changeTrainingRoute, changeWithdrawalDate, undoWithdrawal } from '../../../lib/trainees/index.js';
import { convertProvidersToLeadPartners } from '../../../lib/partners/index.js';
import { planRemoveDuplicates } from '../../../lib/dedupe/remove-duplicates.js';
import { planApplyReimport } from '../../../lib/apply/reimport.js';
import { createTestDatabase, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { diff, snapshot } from './snapshot.js';

/**
 * A plan whose effect depends on a set of child rows (a trainee's placements, a withdrawal's reasons, a provider's
 * users, the duplicates of an e-mail, the stuck applications of a provider) is refused when that set changed after the
 * preview — the change made from a second connection, as Register or another operator would — naming the rows added
 * or gone, with nothing written.
 */
const config = { operator: 'Cass Childset', writesAllowed: true, database: TEST_SANDBOX };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
beforeEach(async () => {
  await seed(t.db, { reset: true });
}, 60_000);
afterAll(() => t?.drop());

/** Runs SQL on a connection of its own (another session: Register, or a colleague). */
async function elsewhere(text: string, values: unknown[] = []): Promise<void> {
  const other = new pg.Client({ connectionString: t.url });
  await other.connect();
  try {
    await other.query(text, values);
  } finally {
    await other.end();
  }
}

/** Commits the plan expecting a drift refusal; checks nothing was written (no row of any table changed) and returns the details. */
async function refused(plan: Plan): Promise<string[]> {
  const before = await snapshot(t.db);
  const error = await commitPlan(t.db, plan, { auditComment: 'should be refused', config }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PlanRefusedError);
  expect((error as PlanRefusedError).reason).toBe('drift');
  expect((error as PlanRefusedError).message).toMatch(/^Refused: the data this plan depends on has changed since this plan was built, so nothing was written\./);
  expect(diff(before, await snapshot(t.db))).toEqual([]);
  return (error as PlanRefusedError).details;
}

const slug = (name: string) => scenario(name).slug!;

describe('a change of training route', () => {
  it('previewed with two placements, is refused when a third was added since, naming it', async () => {
    const { plan } = await changeTrainingRoute(t.db, { slug: slug('route-change'), route: 'school_direct_salaried' });
    expect(previewPlan(plan).checks).toEqual(['Checked again at commit: placements of trainee 101 (Maya Okafor): exactly placements ids 101, 102']);
    await elsewhere("INSERT INTO placements (id, trainee_id, urn, name, slug, created_at, updated_at) VALUES (1001, 101, '100004', 'Riverside Primary School', 'PLACEMENT1001SLUGxxxxxxx', now(), now())");
    expect(await refused(plan)).toEqual(['placements of trainee 101 (Maya Okafor): placements id 1001 added since the preview (it saw placements ids 101, 102)']);
  });

  it('is refused when a placement previewed for deletion is already gone and another came', async () => {
    const { plan } = await changeTrainingRoute(t.db, { slug: slug('route-change'), route: 'school_direct_salaried' });
    await elsewhere('DELETE FROM placements WHERE id = 102');
    await elsewhere("INSERT INTO placements (id, trainee_id, urn, name, slug, created_at, updated_at) VALUES (1002, 101, '100004', 'Riverside Primary School', 'PLACEMENT1002SLUGxxxxxxx', now(), now())");
    const details = await commitPlan(t.db, plan, { auditComment: 'x', config }).catch((e: PlanRefusedError) => e.details);
    expect(details).toContain('placements of trainee 101 (Maya Okafor): placements id 1002 added, placements id 102 gone since the preview (it saw placements ids 101, 102)');
  });

  it('saved as JSON, still carries its set and still refuses', async () => {
    const { plan } = await changeTrainingRoute(t.db, { slug: slug('route-change'), route: 'school_direct_salaried' });
    const loaded = JSON.parse(JSON.stringify(plan)) as Plan;
    expect(previewPlan(loaded).hash).toBe(previewPlan(plan).hash);
    await elsewhere("INSERT INTO placements (id, trainee_id, urn, name, slug, created_at, updated_at) VALUES (1003, 101, '100004', 'Riverside Primary School', 'PLACEMENT1003SLUGxxxxxxx', now(), now())");
    expect(await refused(loaded)).toHaveLength(1);
  });
});

describe('undo withdrawal, DQT era (the reasons hang on the trainee and are deleted)', () => {
  it('is refused when a withdrawal reason was added since the preview', async () => {
    const { plan } = await undoWithdrawal(t.db, { slug: slug('withdrawn-in-error') });
    await elsewhere('INSERT INTO trainee_withdrawal_reasons (id, trainee_id, withdrawal_reason_id, created_at, updated_at) VALUES (1001, 103, 1, now(), now())');
    expect(await refused(plan)).toEqual(['withdrawal reasons of trainee 103 (Zara Hussain): trainee_withdrawal_reasons id 1001 added since the preview (it saw trainee_withdrawal_reasons ids 102, 103)']);
  });

  it('locks the trainee while it commits: a reason inserted meanwhile waits for the commit (its foreign key)', async () => {
    const { plan } = await undoWithdrawal(t.db, { slug: slug('withdrawn-in-error') });
    let blocked: string | null = null;
    const receipt = await commitPlan(t.db, plan, {
      auditComment: 'undo',
      config,
      runActions: false,
      onProgress: async (step) => {
        if (step.statement !== 'lock and read rows') return;
        const other = new pg.Client({ connectionString: t.url });
        await other.connect();
        try {
          await other.query("SET lock_timeout = '300ms'");
          await other.query('INSERT INTO trainee_withdrawal_reasons (id, trainee_id, withdrawal_reason_id, created_at, updated_at) VALUES (1002, 103, 1, now(), now())');
        } catch (error) {
          blocked = (error as { code?: string }).code ?? String(error);
        } finally {
          await other.end();
        }
      },
    });
    expect(blocked).toBe('55P03'); // lock_not_available: it had to wait for the commit's lock
    expect(receipt.rowsChanged).toBe(3);
  });
});

describe('withdrawal records (Register since 2025): which withdrawal is current', () => {
  let t26: TestDatabase;
  beforeAll(async () => {
    t26 = await createTestDatabase({ version: '2026-08' });
  });
  beforeEach(async () => {
    await seed(t26.db, { reset: true });
  }, 60_000);
  afterAll(() => t26?.drop());
  const refused26 = async (plan: Plan) => {
    const error = await commitPlan(t26.db, plan, { auditComment: 'should be refused', config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanRefusedError);
    expect((error as PlanRefusedError).reason).toBe('drift');
    return (error as PlanRefusedError).details;
  };
  const elsewhere26 = async (text: string) => {
    const other = new pg.Client({ connectionString: t26.url });
    await other.connect();
    try {
      await other.query(text);
    } finally {
      await other.end();
    }
  };

  it('an undo is refused when the trainee was withdrawn again since the preview (another current withdrawal)', async () => {
    const { plan } = await undoWithdrawal(t26.db, { slug: slug('withdrawn-in-error') });
    await elsewhere26("INSERT INTO trainee_withdrawals (id, trainee_id, date, created_at, updated_at) VALUES (1001, 103, '2025-03-01', now(), now())");
    expect(await refused26(plan)).toEqual(['kept withdrawals of trainee 103 (Zara Hussain): trainee_withdrawals id 1001 added since the preview (it saw trainee_withdrawals id 102)']);
  });

  it('a change of withdrawal date is refused when another withdrawal became the current one since the preview', async () => {
    const { plan } = await changeWithdrawalDate(t26.db, { slug: slug('withdrawal-date'), date: '2025-03-03' });
    await elsewhere26("INSERT INTO trainee_withdrawals (id, trainee_id, date, created_at, updated_at) VALUES (1001, 102, '2025-04-02', now(), now())");
    expect(await refused26(plan)).toEqual(['kept withdrawals of trainee 102 (Owen Price): trainee_withdrawals id 1001 added since the preview (it saw trainee_withdrawals id 101)']);
  });
});

describe('convert provider to lead partner', () => {
  it("is refused when the provider's users changed since the preview", async () => {
    const { plan } = await convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'scitt' });
    await elsewhere('INSERT INTO provider_users (id, provider_id, user_id, created_at, updated_at) VALUES (1001, 4, 6, now(), now())');
    expect(await refused(plan)).toEqual(['users of provider 4 (Harbour Teaching Alliance): provider_users id 1001 added since the preview (it saw provider_users ids 3, 4)']);
  });

  it("is refused when the existing lead partner's users changed since the preview", async () => {
    await elsewhere('INSERT INTO provider_users (id, provider_id, user_id, created_at, updated_at) VALUES (1002, 5, 6, now(), now())');
    const { plan } = await convertProvidersToLeadPartners(t.db, { providerIds: ['5'], recordType: 'scitt' });
    await elsewhere('DELETE FROM lead_partner_users WHERE id = 1');
    expect(await refused(plan)).toEqual(['users of lead partner 3 (Old Mill SCITT): lead_partner_users id 1 gone since the preview (it saw lead_partner_users id 1)']);
  });
});

describe('remove duplicates', () => {
  it('is refused when a new duplicate of a listed e-mail was created since the preview', async () => {
    const fix = await planRemoveDuplicates(t.db, { csvPath: 'duplicates-example.csv' });
    expect(fix.result.duplicates.map((d) => d.id)).toEqual([302, 303]);
    await elsewhere("INSERT INTO trainees (id, slug, state, training_route, email, first_names, last_name, provider_id, created_at, updated_at) VALUES (1001, 'DUPLICATE1001SLUGxxxxxxx', 0, 1, 'SAM.TAYLOR@example.com ', 'Sam', 'Taylor', 1, now(), now())");
    expect(await refused(fix.plan)).toEqual(['kept trainees sharing an e-mail with the 1 listed trainee: trainees id 1001 added since the preview (it saw trainees ids 301, 302, 303)']);
  });

  it('is refused when the listed (kept) trainee was discarded since the preview', async () => {
    const fix = await planRemoveDuplicates(t.db, { csvPath: 'duplicates-example.csv' });
    await elsewhere('UPDATE trainees SET discarded_at = now() WHERE id = 301');
    expect(await refused(fix.plan)).toEqual(['kept trainees sharing an e-mail with the 1 listed trainee: trainees id 301 gone since the preview (it saw trainees ids 301, 302, 303)']);
  });
});

describe('reimport Apply applications', () => {
  it('is refused when another application got stuck since the preview', async () => {
    const fix = await planApplyReimport(t.db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
    const ids = fix.rows.map((r) => r.id);
    await elsewhere("INSERT INTO apply_applications (id, apply_id, state, accredited_body_code, recruitment_cycle_year, created_at, updated_at) VALUES (1001, 991001, 1, '2N2', 2024, now(), now())");
    expect(await refused(fix.plan)).toEqual([`non_importable_hei apply_applications of 2N2 for 2024: apply_applications id 1001 added since the preview (it saw apply_applications ids ${ids.join(', ')})`]);
  });
});
