/**
 * `npm run bench -- sidekiq [--jobs 100000] [--growth] [--retries 1000] [--runs 3]`: the Sidekiq backend against its
 * floors, on a Redis database of its own.
 *
 * Fills `retry` and `dead` (a dead set past Sidekiq's 10,000 cap, as with a raised `dead_max_jobs`) with N entries each,
 * shaped like Register's (ActiveJob wrapper, GlobalIDs, Sentry headers, the playbook's errors with Register's
 * `, headers: {…}` tail as an Azure-hosted API sends them, DQT-era and TRS-era classes, about 2.1 KB each, as the fact
 * sheet gives for production). Then, each pass in its own process so its
 * peak memory is its own:
 *   triage: the toolkit's triage scan (newest first, decode, Register's clean-up replayed, classify, tally by kind and
 *           trainee) of each set, against the floor: ZRANGE pages of the same size and JSON.parse of each member; and
 *           against a stricter floor that also lets each member go once parsed, as the triage scan does;
 *   growth: the dead-set triage at 4 × N (peak memory must stay flat);
 *   retry:  committing a plan that retries 1,000 selected dead jobs (drift re-check, the Lua remove-and-push, the run
 *           ledger), against the floor: the same 1,000 bare Lua calls (ZREM the raw member, then push the prepared
 *           payload), pipelined, payloads prepared beforehand and not timed; and the same calls one at a time.
 * The database is emptied afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { flag } from './_shared.js';

const ADMIN_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const BODIES = [
  'status: 500, body: ',
  'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}',
  'status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}',
  'status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}',
  'status: 400, body: {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"qualification.providerUkprn":["Organisation not found"]}}',
  'Error updating professional status: status: 400, body: {"title":"Invalid training provider UKPRN.","status":400,"detail":"Training provider UKPRN: \'10012345\'","errorCode":10048}',
];
const CLASSES: [string, string, number | boolean][] = [
  ['Dqt::UpdateTraineeJob', 'dqt', 0],
  ['Dqt::RecommendForAwardJob', 'dqt', 10],
  ['Dqt::WithdrawTraineeJob', 'dqt', 0],
  ['Trs::UpdateProfessionalStatusJob', 'trs', true],
  ['Trs::UpdateTraineeJob', 'trs', 0],
];

/** One Register-shaped entry (key order, float times, Sentry headers as Register's Sidekiq writes them). */
export function benchEntry(i: number, jobs: number, now: number): { score: string; member: string } {
  const [jobClass, queue, retry] = CLASSES[i % CLASSES.length]!;
  const traineeId = 1 + (i % Math.max(1, Math.floor(jobs / 3)));
  const died = now / 1000 - (jobs - i) * 0.01;
  const http = BODIES[i % BODIES.length]!;
  const date = new Date(died * 1000).toUTCString();
  // HTTParty's headers as an Azure-hosted API sends them (Ruby 3.4's inspect): most of an entry's 2–3 KB.
  const correlation = randomUUIDish();
  const message =
    `${http}, headers: {"date" => ["${date}"], "content-type" => ["application/problem+json; charset=utf-8"], "transfer-encoding" => ["chunked"], "connection" => ["keep-alive"], ` +
    `"request-context" => ["appId=cid-v1:${randomUUIDish()}"], "strict-transport-security" => ["max-age=31536000; includeSubDomains"], "x-frame-options" => ["DENY"], ` +
    `"x-content-type-options" => ["nosniff"], "referrer-policy" => ["no-referrer"], "x-correlation-id" => ["${correlation}"], "x-vcap-request-id" => ["${correlation}"], ` +
    `"cache-control" => ["no-cache, no-store"], "vary" => ["Accept-Encoding"], "server" => ["Kestrel"], "api-supported-versions" => ["20240101, 20240307, 20240412, 20240416, 20240606, 20240814, 20240912, 20250203, 20250327, 20250425, 20250627"], "x-api-version" => ["20250627"], "set-cookie" => ["ARRAffinity=${randomBytes(32).toString('hex')}; Path=/; HttpOnly; Secure; Domain=teacher-qualifications-api.education.gov.uk"]}`;
  const trace = randomBytes(16).toString('hex');
  const count = typeof retry === 'number' ? retry : 25;
  const member =
    `{"retry":${JSON.stringify(retry)},"queue":"${queue}","wrapped":"${jobClass}","args":[{"job_class":"${jobClass}","job_id":"${randomUUIDish()}","provider_job_id":null,"queue_name":"${queue}","priority":null,` +
    `"arguments":[{"_aj_globalid":"gid://register-trainee-teachers/Trainee/${traineeId}"}],"executions":0,"exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"${new Date((died - 86_400) * 1000).toISOString().replace('Z', '000000Z')}","scheduled_at":null}],` +
    `"class":"ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper","jid":"${randomBytes(12).toString('hex')}","created_at":${(died - 86_400).toFixed(6)},` +
    `"trace_propagation_headers":{"sentry-trace":"${trace}-${randomBytes(8).toString('hex')}","baggage":"sentry-trace_id=${trace},sentry-environment=production"},` +
    `"enqueued_at":${(died - 1).toFixed(6)},"error_message":${JSON.stringify(message)},"error_class":"Dqt::Client::HttpError","failed_at":${(died - 3600 * count).toFixed(6)},"retry_count":${count}${count ? `,"retried_at":${(died - 0.01).toFixed(6)}` : ''}}`;
  return { score: died.toFixed(6), member };
}

function randomUUIDish(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

async function fill(redis: Redis, key: string, jobs: number): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < jobs; start += 5000) {
    const args: string[] = [];
    for (let i = start; i < Math.min(jobs, start + 5000); i++) {
      const e = benchEntry(i, jobs, now);
      args.push(e.score, e.member);
    }
    await redis.zadd(key, ...args);
  }
}

/** A Redis database of the benchmark's own: claimed with a key in database 0 and checked empty. */
async function claimDatabase(): Promise<{ db: number; release(): Promise<void> }> {
  const admin = new Redis(ADMIN_URL, { maxRetriesPerRequest: 1 });
  const token = randomBytes(6).toString('hex');
  try {
    for (const db of [15, 14, 13, 12, 11, 10]) {
      const lock = `register-support:test-db:${db}`;
      if ((await admin.set(lock, token, 'EX', 7200, 'NX')) !== 'OK') continue;
      const probe = new Redis(`${ADMIN_URL}/${db}`);
      if ((await probe.dbsize()) !== 0) {
        probe.disconnect();
        await admin.del(lock);
        continue;
      }
      return {
        db,
        async release() {
          await probe.flushdb();
          probe.disconnect();
          const a = new Redis(ADMIN_URL);
          if ((await a.get(lock)) === token) await a.del(lock);
          a.disconnect();
        },
      };
    }
    throw new Error('no free Redis database among 10–15');
  } finally {
    admin.disconnect();
  }
}

interface Pass {
  ms: number;
  cpuMs: number;
  peakMB: number;
  jobs: number;
  check: number;
}

function measure(mode: string, url: string, key: string, extra: string[] = []): Pass {
  const out = execFileSync(process.execPath, [join(__dirname, '_sidekiq-child.js'), mode, url, key, ...extra], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Pass;
}

function best(runs: number, pass: () => Pass): Pass {
  return Array.from({ length: runs }, pass).sort((a, b) => a.ms - b.ms)[0]!;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const jobs = flag(args, 'jobs', 100_000);
  const runs = flag(args, 'runs', 3);
  const retries = flag(args, 'retries', 1_000);
  const claim = await claimDatabase();
  const url = `${ADMIN_URL}/${claim.db}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const result: Record<string, unknown> = { jobs, runs, retries };
  try {
    const started = performance.now();
    await fill(redis, 'retry', jobs);
    await fill(redis, 'dead', jobs);
    const bytes = Number((await redis.memory('USAGE', 'dead')) ?? 0);
    process.stdout.write(`filled retry and dead with ${jobs.toLocaleString('en-GB')} entries each in ${Math.round(performance.now() - started)} ms (dead set ${Math.round(bytes / 1e6)} MB in Redis)\n`);
    for (const set of ['retry', 'dead']) {
      // Alternating A B C A B C, so a change in the machine's load hits all alike.
      const triageRuns: Pass[] = [];
      const floorRuns: Pass[] = [];
      const strictRuns: Pass[] = [];
      for (let r = 0; r < runs; r++) {
        triageRuns.push(measure('triage', url, set));
        floorRuns.push(measure('floor', url, set));
        strictRuns.push(measure('floor-releasing', url, set));
      }
      const fastest = (passes: Pass[]) => passes.slice().sort((a, b) => a.ms - b.ms)[0]!;
      const triage = fastest(triageRuns);
      const floor = fastest(floorRuns);
      const strict = fastest(strictRuns);
      if ([triage, floor, strict].some((p) => p.jobs !== jobs)) throw new Error(`a pass read the wrong number of jobs: triage ${triage.jobs}, floor ${floor.jobs}, strict floor ${strict.jobs}`);
      const cpuT = Math.min(...triageRuns.map((r) => r.cpuMs));
      const cpuF = Math.min(...floorRuns.map((r) => r.cpuMs));
      // Each pass against the floor run beside it: the median says what a noisy machine's best-of can hide.
      const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
      const pairRatio = median(triageRuns.map((t, r) => t.ms / floorRuns[r]!.ms));
      Object.assign(result, {
        [`triage_${set}Ms`]: triage.ms,
        [`triage_${set}FloorMs`]: floor.ms,
        [`triage_${set}Ratio`]: +(triage.ms / floor.ms).toFixed(2),
        [`triage_${set}PairMedianRatio`]: +pairRatio.toFixed(2),
        [`triage_${set}StrictFloorMs`]: strict.ms,
        [`triage_${set}StrictRatio`]: +(triage.ms / strict.ms).toFixed(2),
        [`triage_${set}CpuMs`]: cpuT,
        [`triage_${set}FloorCpuMs`]: cpuF,
        [`triage_${set}CpuRatio`]: +(cpuT / cpuF).toFixed(2),
        [`triage_${set}PeakMB`]: triage.peakMB,
        [`triage_${set}FloorPeakMB`]: floor.peakMB,
        [`triage_${set}StrictFloorPeakMB`]: strict.peakMB,
      });
      process.stdout.write(
        `${set.padEnd(5)} triage ${triage.ms} ms (CPU ${cpuT} ms, peak ${triage.peakMB} MB) vs floor ${floor.ms} ms (CPU ${cpuF} ms, peak ${floor.peakMB} MB) = ${(triage.ms / floor.ms).toFixed(2)}x wall (median of pairs ${pairRatio.toFixed(2)}x), ${(cpuT / cpuF).toFixed(2)}x CPU; ` +
          `vs the strict floor (each member let go once parsed) ${strict.ms} ms (peak ${strict.peakMB} MB) = ${(triage.ms / strict.ms).toFixed(2)}x; best of ${runs}, alternating\n`,
      );
    }
    if (args.includes('--growth')) {
      // Three times as many again: the dead set holds 4 × N.
      const now = Date.now() - jobs * 20;
      for (let start = 0; start < jobs * 3; start += 5000) {
        const more: string[] = [];
        for (let i = start; i < Math.min(jobs * 3, start + 5000); i++) {
          const e = benchEntry(i, jobs * 3, now);
          more.push(e.score, e.member);
        }
        await redis.zadd('dead', ...more);
      }
      const big = best(1, () => measure('triage', url, 'dead'));
      if (big.jobs !== jobs * 4) throw new Error(`the growth pass read ${big.jobs} jobs, not ${jobs * 4}`);
      Object.assign(result, { jobsGrowth: jobs * 4, deadTriageMsGrowth: big.ms, deadPeakMBGrowth: big.peakMB, peakGrowthRatio: +(big.peakMB / (result.triage_deadPeakMB as number)).toFixed(2) });
      process.stdout.write(`dead triage at ${(jobs * 4).toLocaleString('en-GB')}: ${big.ms} ms, peak ${big.peakMB} MB (${result.peakGrowthRatio}x the peak at ${jobs.toLocaleString('en-GB')})\n`);
    }
    // Retry: each pass on the same 1,000 jobs of the same dead set, restored before it runs.
    const commitRuns: Pass[] = [];
    const luaRuns: Pass[] = [];
    const sequentialRuns: Pass[] = [];
    for (let r = 0; r < runs; r++) {
      commitRuns.push(measure('retry-commit', url, 'dead', [String(retries)]));
      luaRuns.push(measure('retry-floor', url, 'dead', [String(retries)]));
      sequentialRuns.push(measure('retry-floor-sequential', url, 'dead', [String(retries)]));
    }
    const commit = commitRuns.slice().sort((a, b) => a.ms - b.ms)[0]!;
    const lua = luaRuns.slice().sort((a, b) => a.ms - b.ms)[0]!;
    const sequential = sequentialRuns.slice().sort((a, b) => a.ms - b.ms)[0]!;
    if (commit.check !== retries || lua.check !== retries || sequential.check !== retries) throw new Error(`a retry pass pushed ${commit.check} / ${lua.check} / ${sequential.check} jobs, not ${retries}`);
    Object.assign(result, { retryCommitMs: commit.ms, retryLuaFloorMs: lua.ms, retryRatio: +(commit.ms / lua.ms).toFixed(2), retryCommitCpuMs: Math.min(...commitRuns.map((r) => r.cpuMs)), retryLuaFloorCpuMs: Math.min(...luaRuns.map((r) => r.cpuMs)), retryLuaSequentialMs: sequential.ms, retryRatioToSequential: +(commit.ms / sequential.ms).toFixed(2) });
    process.stdout.write(
      `retry of ${retries} selected dead jobs: plan commit ${commit.ms} ms vs the bare Lua calls ${lua.ms} ms pipelined = ${(commit.ms / lua.ms).toFixed(2)}x (${sequential.ms} ms one at a time = ${(commit.ms / sequential.ms).toFixed(2)}x), best of ${runs}\n`,
    );
    return result;
  } finally {
    redis.disconnect();
    await claim.release();
  }
}
