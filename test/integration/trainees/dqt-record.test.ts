import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../lib/config/env.js';
import { dqtSandboxSeed, startDqtSandbox, type DqtSandbox } from '../../../lib/dqt/index.js';
import { scenario, seed } from '../../../lib/sandbox/seed/index.js';
import { showDqtRecord } from '../../../lib/trainees/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

let t: TestDatabase;
let dqt: DqtSandbox;
beforeAll(async () => {
  t = await createTestDatabase();
  await seed(t.db);
  dqt = await startDqtSandbox({ apiKey: 'test-key', port: 0, seed: dqtSandboxSeed() });
});
afterAll(async () => {
  await dqt?.stop();
  await t?.drop();
});

describe('showDqtRecord (incorrectly-awarded runbook)', () => {
  it("reads what DQT holds for the awarded-in-error trainee: the award and a passed ITT", async () => {
    const teacher = await showDqtRecord(t.db, { dqt: { kind: 'sandbox', url: dqt.url, apiKey: new Secret('test-key') } }, scenario('awarded-in-error').slug!);
    expect(teacher).toMatchObject({ trn: '3012104', qtsDate: '2025-06-18', eytsDate: null });
    expect(teacher!.initialTeacherTraining.map((i) => i.result)).toEqual(['Pass']);
  });

  it('says DQT could not be read, without failing, when DQT is unreachable or the key is wrong', async () => {
    const slug = scenario('awarded-in-error').slug!;
    expect(await showDqtRecord(t.db, { dqt: { kind: 'external', url: 'http://127.0.0.1:9', apiKey: new Secret('x') } }, slug)).toBeNull();
    expect(await showDqtRecord(t.db, { dqt: { kind: 'sandbox', url: dqt.url, apiKey: new Secret('wrong-key') } }, slug)).toBeNull();
  });
});
