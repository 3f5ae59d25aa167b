import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOK_RULES, type ErrorKind } from '../../../lib/triage/rules.js';
import { scenario } from '../../../lib/sandbox/seed/index.js';
import { DQT_SCENARIO_RUNS } from '../../../lib/sandbox/seed/dqt.js';
import { REDIS_URL, seededSandbox, type SeededSandbox } from '../investigations/setup.js';

/**
 * `support triage --json` (the built CLI, `npm run build` first) on the seeded sandbox: a seeded test database and a
 * Redis prefix whose `dqt` dead set the seed hook filled by running every DQT scenario's job against the DQT sandbox.
 * Every scenario's dead job must be classified as the playbook says.
 */
const BIN = resolve(__dirname, '../../../bin/support.js');
const API_KEY = 'triage-cli-key-0a9d55';
let s: SeededSandbox;
beforeAll(async () => {
  s = await seededSandbox(API_KEY);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

function support(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const KEYS = ['queue', 'jobId', 'jobName', 'traineeId', 'slug', 'failedAt', 'attempts', 'status', 'errorCode', 'errorClass', 'explanation', 'action', 'bulkSafe', 'runbook', 'state', 'firstFailedAt', 'enqueuedAt', 'removedByCleanup', 'shape'];
const rule = (kind: ErrorKind) => ({ kind, action: PLAYBOOK_RULES[kind].action, bulkSafe: PLAYBOOK_RULES[kind].bulkSafe, runbook: PLAYBOOK_RULES[kind].runbook, explanation: PLAYBOOK_RULES[kind].explanation });
const HTTP = 'Dqt::Client::HttpError';

/** What the playbook says about each scenario's dead job: [scenario, job, kind, status, errorCode, errorClass]. */
const EXPECTED: [string, string, ErrorKind, number | null, number | null, string][] = [
  ['dqt-server-error-500', 'Dqt::UpdateTraineeJob', 'server-error', 500, null, HTTP],
  ['dqt-teacher-not-found-dob-mismatch', 'Dqt::UpdateTraineeJob', 'teacher-not-found', 404, 10001, HTTP],
  ['dqt-teacher-not-found-inactive', 'Dqt::UpdateTraineeJob', 'teacher-not-found', 404, 10001, HTTP],
  ['dqt-no-qts-record', 'Dqt::RecommendForAwardJob', 'no-qts-record', 400, 10006, HTTP],
  ['dqt-no-incomplete-itt', 'Dqt::RecommendForAwardJob', 'no-incomplete-itt', 400, 10005, HTTP],
  ['dqt-organisation-not-found', 'Dqt::UpdateTraineeJob', 'organisation-not-found', 400, null, HTTP],
  ['dqt-already-has-qts', 'Dqt::UpdateTraineeJob', 'already-has-qts', 400, null, HTTP],
  ['dqt-retrieve-trn-timeout', 'Dqt::RetrieveTrnJob', 'retrieve-trn-timeout', null, null, 'Dqt::RetrieveTrnJob::Timeout'],
  ['dqt-update-missing-trn-known-to-dqt', 'Dqt::UpdateTraineeJob', 'update-missing-trn', null, null, 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn'],
  ['dqt-update-missing-trn-unknown-to-dqt', 'Dqt::UpdateTraineeJob', 'update-missing-trn', null, null, 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn'],
];

describe('support triage --json on the seeded sandbox', () => {
  let records: Record<string, unknown>[];
  beforeAll(async () => {
    const out = await support(['triage', '--json'], { DATABASE_URL: s.t.url, REDIS_URL, REDIS_PREFIX: s.prefix, DQT_API_KEY: API_KEY });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    records = JSON.parse(out.stdout) as Record<string, unknown>[];
  }, 60_000);

  it('prints one record per scenario job, each with the documented keys in order, and no secret', () => {
    expect(records).toHaveLength(DQT_SCENARIO_RUNS.length);
    for (const r of records) expect(Object.keys(r)).toEqual(KEYS);
    expect(JSON.stringify(records)).not.toContain(API_KEY);
  });

  it.each(EXPECTED)('%s: %s is classified %s', (name, jobName, kind, status, errorCode, errorClass) => {
    const sc = scenario(name);
    const mine = records.filter((r) => r.slug === sc.slug);
    expect(mine).toHaveLength(1);
    const { kind: _kind, ...expected } = rule(kind);
    expect(mine[0]).toMatchObject({ queue: 'dqt', jobName, status, errorCode, errorClass, ...expected });
    expect(sc.runbook).toBe(expected.runbook);
    expect(mine[0]!.traineeId).toBeTypeOf('number');
  });

  it('dqt-failed-update-and-award: both jobs go to the failed-update-and-award runbook, update first, neither in bulk', () => {
    const sc = scenario('dqt-failed-update-and-award');
    const mine = records.filter((r) => r.slug === sc.slug);
    const update = mine.find((r) => r.jobName === 'Dqt::UpdateTraineeJob')!;
    const award = mine.find((r) => r.jobName === 'Dqt::RecommendForAwardJob')!;
    expect(mine).toHaveLength(2);
    for (const r of [update, award]) expect(r).toMatchObject({ traineeId: 211, status: 500, errorCode: null, errorClass: HTTP, bulkSafe: false, runbook: 'dqt-errors/failed-update-and-award', explanation: PLAYBOOK_RULES['server-error'].explanation });
    expect(update.action).toBe(`Retry this update first (the trainee also has a failed award). ${PLAYBOOK_RULES['server-error'].action}`);
    expect(award.action).toBe('Retry only after the failed update of this trainee has succeeded.');
    expect(award.attempts).toBe(11);
    expect(sc.runbook).toBe('dqt-errors/failed-update-and-award');
  });

  it('the timed-out RetrieveTrnJob is listed under its trainee (208), not under its TRN request id', () => {
    expect(records.find((r) => r.jobName === 'Dqt::RetrieveTrnJob')).toMatchObject({ traineeId: 208, slug: scenario('dqt-retrieve-trn-timeout').slug });
  });

  it('refuses --json with --csv as a usage error (exit 2) before reading anything', async () => {
    const out = await support(['triage', '--json', '--csv'], { DATABASE_URL: s.t.url, REDIS_URL, REDIS_PREFIX: s.prefix });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('choose one of --json and --csv');
    expect(out.stdout).toBe('');
  });
});
