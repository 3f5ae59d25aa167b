/**
 * `npm run bench -- dead-set [--jobs 100000] [--growth]`: the dead-set triage scan against the floor and BullMQ.
 *
 * Fills a queue (its own prefix in the local Redis) with N failed jobs shaped like Register's: ActiveJob-style data
 * with a Trainee GlobalID, DQT error bodies of each playbook kind, a one-entry stack trace. Then, each in a fresh
 * process so peak memory is its own, measures:
 *   (a) the project's triage scan (scanTriage: stream, parse, classify, tally by kind and trainee),
 *   (b) the floor: ZRANGE in chunks of 2,000 and a pipelined HMGET of the six fields the triage reads, nothing else,
 *   (c) BullMQ `getFailed` in pages of 1,000.
 * With --growth it also runs (a) on 4 × N jobs and reports how peak memory grew. The keys are deleted afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const BODIES = [
  'status: 500, body: , headers: {}',
  'status: 404, body: {"title":"Teacher with specified TRN not found","status":404,"errorCode":10001}',
  'status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}',
  'status: 400, body: {"title":"Teacher has no incomplete ITT record","status":400,"errorCode":10005}',
  'status: 400, body: {"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"qualification.providerUkprn":["Organisation not found"]}}',
  'status: 400, body: {"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"initialTeacherTraining.programmeType":["Teacher already has QTS/EYTS date"]}}',
];
const NAMES = ['Dqt::UpdateTraineeJob', 'Dqt::RecommendForAwardJob', 'Dqt::WithdrawTraineeJob', 'Dqt::RetrieveTrnJob', 'Dqt::RegisterForTrnJob'];

async function fill(redis: Redis, prefix: string, queue: string, jobs: number): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  for (let start = 0; start < jobs; start += 5000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(jobs, start + 5000); i++) {
      const id = String(i + 1);
      const traineeId = 1 + (i % Math.max(1, Math.floor(jobs / 3)));
      const name = NAMES[i % NAMES.length]!;
      const message = name === 'Dqt::RetrieveTrnJob' ? `Dqt::RetrieveTrnJob for Trainee id: ${traineeId} has timed out after 4 days` : BODIES[i % BODIES.length]!;
      const data = {
        job_class: name,
        job_id: randomBytes(16).toString('hex'),
        queue_name: 'dqt',
        arguments: [{ _aj_globalid: `gid://register/Trainee/${traineeId}` }],
        executions: 1,
        enqueued_at: new Date(now - 86_400_000 * (i % 30)).toISOString(),
      };
      const finishedOn = now - (jobs - i) * 10;
      pipeline.hset(`${prefix}:${queue}:${id}`, {
        name,
        data: JSON.stringify(data),
        opts: JSON.stringify({ attempts: 1, backoff: { type: 'exponential', delay: 3000 } }),
        timestamp: String(finishedOn - 5000),
        delay: '0',
        priority: '0',
        processedOn: String(finishedOn - 200),
        finishedOn: String(finishedOn),
        failedReason: message,
        stacktrace: JSON.stringify([`Dqt::Client::HttpError: ${message}\n    at DqtClient.request (lib/dqt/client.js:120:15)\n    at async processUpdate (lib/jobs/processors.js:44:7)\n    at async Worker.processJob (node_modules/bullmq/dist/cjs/classes/worker.js:455:28)`]),
        atm: '1',
        ats: '1',
      });
      pipeline.zadd(`${prefix}:${queue}:failed`, finishedOn, id);
    }
    await pipeline.exec();
  }
  return Math.round(performance.now() - started);
}

async function clear(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function measure(mode: string, prefix: string, queue: string): { ms: number; peakMB: number; jobs: number; check: number } {
  const out = execFileSync(process.execPath, [join(__dirname, '_dead-set-child.js'), mode, prefix, queue], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function best(mode: string, prefix: string, queue: string, runs: number) {
  const results = Array.from({ length: runs }, () => measure(mode, prefix, queue));
  return results.sort((a, b) => a.ms - b.ms)[0]!;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const flag = (name: string) => args.indexOf(name);
  const jobs = flag('--jobs') >= 0 ? Number(args[flag('--jobs') + 1]) : 100_000;
  const runs = flag('--runs') >= 0 ? Number(args[flag('--runs') + 1]) : 3;
  if (!Number.isInteger(jobs) || jobs <= 0) throw new Error('--jobs takes a whole number above 0');
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const prefix = `rs-bench-${randomBytes(3).toString('hex')}`;
  const queue = 'dqt';
  try {
    const fillMs = await fill(redis, prefix, queue, jobs);
    process.stdout.write(`filled ${jobs.toLocaleString('en-GB')} failed jobs in ${fillMs} ms\n`);
    const triage = best('triage', prefix, queue, runs);
    const floor = best('floor', prefix, queue, runs);
    const getFailed = best('getFailed', prefix, queue, 1);
    if (triage.jobs !== jobs || floor.jobs !== jobs || getFailed.jobs !== jobs) throw new Error(`a pass read the wrong number of jobs: triage ${triage.jobs}, floor ${floor.jobs}, getFailed ${getFailed.jobs}`);
    const result: Record<string, unknown> = {
      jobs,
      triageMs: triage.ms,
      floorMs: floor.ms,
      getFailedMs: getFailed.ms,
      ratioToFloor: +(triage.ms / floor.ms).toFixed(2),
      speedupVsGetFailed: +(getFailed.ms / triage.ms).toFixed(1),
      peakMB: triage.peakMB,
      floorPeakMB: floor.peakMB,
      getFailedPeakMB: getFailed.peakMB,
      runs,
    };
    process.stdout.write(
      `triage scan   ${triage.ms} ms, peak ${triage.peakMB} MB (best of ${runs})\n` +
        `floor (HMGET) ${floor.ms} ms, peak ${floor.peakMB} MB (best of ${runs})\n` +
        `getFailed     ${getFailed.ms} ms, peak ${getFailed.peakMB} MB (pages of 1,000)\n`,
    );
    if (flag('--growth') >= 0) {
      await fill(redis, prefix, 'dqt4', jobs * 4);
      const big = best('triage', prefix, 'dqt4', 1);
      result.jobsGrowth = jobs * 4;
      result.triageMsGrowth = big.ms;
      result.peakMBGrowth = big.peakMB;
      result.peakGrowthRatio = +(big.peakMB / triage.peakMB).toFixed(2);
      process.stdout.write(`triage scan at ${(jobs * 4).toLocaleString('en-GB')} jobs: ${big.ms} ms, peak ${big.peakMB} MB (${result.peakGrowthRatio}x the peak at ${jobs.toLocaleString('en-GB')})\n`);
    }
    return result;
  } finally {
    await clear(redis, prefix);
    redis.disconnect();
  }
}
