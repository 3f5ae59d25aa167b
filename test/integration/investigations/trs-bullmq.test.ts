import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commitInvestigation,
  investigateAlreadyHasQts,
  investigateEytsHolder,
  investigateFailedUpdateAndAward,
  investigateNoIncompleteItt,
  investigateNoQtsRecord,
  investigateOrganisationNotFound,
  investigateRetrieveTrnTimeout,
  investigateServerError,
  investigateTeacherNotFound,
  investigateTrnRequestRejected,
  investigateTrsRouteRejected,
  investigateUpdateMissingTrn,
  type Investigation,
  type InvestigationContext,
} from '../../../lib/investigations/index.js';
import { readLedger } from '../../../lib/queues/actions.js';
import { listScenarios } from '../../../lib/sandbox/seed/index.js';
import { trsBullmqSandbox, type TrsBullmqSandbox } from './trs-setup.js';

/**
 * The TRS-era runbooks on the toolkit's own queues: the `trs` dead set on BullMQ filled by the jobs' seed hook (what a
 * newcomer's `support sandbox --schema 2026-08` holds). Each TRS scenario's investigation finds its scenario's dead
 * job(s) there, classified for its runbook; a retry commits on BullMQ.
 */
let s: TrsBullmqSandbox;
beforeAll(async () => {
  s = await trsBullmqSandbox('trs-bullmq-investigations-key-6d3a70');
}, 180_000);
afterAll(async () => {
  await s?.stop();
});

const BY_RUNBOOK: Record<string, (ctx: InvestigationContext, input: { slug: string }) => Promise<Investigation>> = {
  'dqt-errors/server-error-500': investigateServerError,
  'dqt-errors/teacher-not-found-404': investigateTeacherNotFound,
  'dqt-errors/no-qts-record-10006': investigateNoQtsRecord,
  'dqt-errors/no-incomplete-itt-10005': investigateNoIncompleteItt,
  'dqt-errors/organisation-not-found': investigateOrganisationNotFound,
  'dqt-errors/already-has-qts': investigateAlreadyHasQts,
  'dqt-errors/retrieve-trn-timeout': investigateRetrieveTrnTimeout,
  'dqt-errors/update-missing-trn': investigateUpdateMissingTrn,
  'dqt-errors/failed-update-and-award': investigateFailedUpdateAndAward,
  'dqt-errors/trn-request-rejected-10062': investigateTrnRequestRejected,
  'dqt-errors/eyts-holder-10057': investigateEytsHolder,
  'dqt-errors/trs-route-rejected': investigateTrsRouteRejected,
};

/** The dead jobs each scenario's runbook must find on the trs queue: job class and kind. */
const EXPECTED_DEAD: Record<string, [string, string][]> = {
  'trs-server-error-500': [['Trs::UpdateTraineeJob', 'server-error']],
  'trs-person-not-found': [['Trs::UpdateTraineeJob', 'teacher-not-found']],
  'trs-person-deactivated': [['Trs::UpdateProfessionalStatusJob', 'teacher-not-found']],
  'trs-route-failed-on-trs': [['Trs::UpdateProfessionalStatusJob', 'no-qts-record']],
  'trs-awarded-on-trs': [['Trs::UpdateProfessionalStatusJob', 'server-error']],
  'trs-organisation-not-found': [['Trs::UpdateProfessionalStatusJob', 'organisation-not-found']],
  'trs-already-has-qts': [],
  'trs-retrieve-trn-timeout': [['Trs::RetrieveTrnJob', 'retrieve-trn-timeout']],
  'trs-update-missing-trn-known-to-trs': [['Trs::UpdateProfessionalStatusJob', 'update-missing-trn']],
  'trs-update-missing-trn-unknown-to-trs': [['Trs::UpdateProfessionalStatusJob', 'update-missing-trn']],
  'trs-failed-update-and-award': [
    ['Trs::UpdateTraineeJob', 'server-error'],
    ['Trs::UpdateProfessionalStatusJob', 'server-error'],
  ],
  'trs-trn-request-rejected': [['Trs::RetrieveTrnJob', 'trn-request-rejected']],
  'trs-eyts-holder': [['Trs::UpdateTraineeJob', 'eyts-holder']],
  'trs-route-type-change': [['Trs::UpdateProfessionalStatusJob', 'trs-route-rejected']],
};

const scenarios = listScenarios('trs').filter((x) => x.runbook.startsWith('dqt-errors/'));

it('covers every TRS scenario', () => {
  expect(scenarios.map((x) => x.name).sort()).toEqual(Object.keys(EXPECTED_DEAD).sort());
});

describe.each(scenarios.map((x) => [x.name, x] as const))('TRS scenario %s on BullMQ', (name, sc) => {
  it(`${sc.runbook} finds its dead job(s) on the trs queue`, async () => {
    const inv = await BY_RUNBOOK[sc.runbook]!(s.ctx, { slug: sc.slug });
    expect(inv.runbook).toBe(sc.runbook);
    expect(inv.deadJobs.map((j) => [j.jobName, j.kind])).toEqual(EXPECTED_DEAD[name]);
    expect(inv.deadJobs.every((j) => j.queue === 'trs')).toBe(true);
    expect(inv.trsComparison).toBeTruthy();
  });
});

describe('a retry committed on BullMQ', () => {
  it('server-error-500 moves the dead Trs::UpdateTraineeJob back onto the trs queue and records it in the ledger', async () => {
    const sc = scenarios.find((x) => x.name === 'trs-server-error-500')!;
    const inv = await investigateServerError(s.ctx, { slug: sc.slug });
    const [dead] = inv.deadJobs;
    const { jobReceipt } = await commitInvestigation(s.ctx, inv, { auditComment: 'TRS 500, rerun per playbook' });
    expect(jobReceipt!.results.map((r) => r.status)).toEqual(['done']);
    expect((await s.deadSet()).some((d) => d.startsWith(`${dead!.jobId} `))).toBe(false);
    expect(await s.bull.queues.trs.getJobState(dead!.jobId)).toMatch(/^(waiting|delayed|prioritized)$/);
    const [ledger] = await readLedger(s.ctx.jobs, 1);
    expect(ledger).toMatchObject({ operator: 'Ivy Investigator', comment: 'TRS 500, rerun per playbook' });
  });
});
