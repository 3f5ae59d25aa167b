import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeUrl, type Config } from '../../config/env.js';
import { errorClassFromStackText } from '../../jobs/dead.js';
import { openJobQueues } from '../../jobs/queues.js';
import type { SeedHook } from '../../sandbox/service.js';
import { registerFeatures } from '../../db/versions/detect.js';
import { rubyHashInspect } from '../../trs/error.js';
import { iso9 } from '../activejob.js';
import { REGISTER_JOB_CLASSES } from '../register-jobs.js';
import { RAILS_ACTIVEJOB_WRAPPER, SIDEKIQ_KEYS, SIDEKIQ_SIGNATURE_KEYS } from './keys.js';

/**
 * The sandbox's Sidekiq-shaped sets, so a newcomer sees what production holds: every job of the BullMQ sandbox's dead
 * set (`dqt` on a DQT-era Register, `trs` on today's) as Register's Sidekiq would have stored it when it died (ActiveJob
 * wrapper, Register's GlobalIDs, queue and `retry` from the class, `retry_count`, `failed_at`/`retried_at`/`enqueued_at`,
 * `error_class` as Register raises it, the error message with the response headers in Ruby's form), and a retry set of
 * award jobs waiting to run again after a 500 (`Dqt::RecommendForAwardJob`, or today `Trs::UpdateProfessionalStatusJob`,
 * which spends about three weeks in `retry`). Written to a Redis database of the sandbox's own
 * (`SUPPORT_SANDBOX_SIDEKIQ_REDIS`), replacing an earlier seed in one transaction; refused where a real Sidekiq runs or
 * Sidekiq data the sandbox did not write is found.
 *
 * `api` says which Register the sandbox is (the seed hook reads it from the database); left out, it is `trs` when only
 * the BullMQ `trs` queue has dead jobs, else `dqt`.
 *
 * @example
 * await seedSidekiqSandbox({ url: 'redis://127.0.0.1:6379', prefix: 'bull' }, 'redis://127.0.0.1:6379/1');
 * // 'The sandbox's Sidekiq database (redis://127.0.0.1:6379/1) holds 12 dead and 2 retrying Register-shaped jobs.'
 * await seedSidekiqSandbox(bullmq, sidekiqUrl, { api: 'trs' }); // today's Register: Trs:: jobs on queue trs
 */
export async function seedSidekiqSandbox(bullmq: { url: string; prefix: string }, sidekiqUrl: string, options: { now?: Date; api?: 'dqt' | 'trs' } = {}): Promise<string> {
  const now = options.now ?? new Date();
  const queues = openJobQueues(bullmq);
  const target = new Redis(sidekiqUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  target.on('error', () => undefined);
  try {
    await queues.ensureReachable();
    await target.connect();
    const processes = await target.scard(SIDEKIQ_KEYS.processes);
    if (processes > 0) return `The sandbox's Sidekiq database ${describeUrl(sidekiqUrl)} was left alone: a Sidekiq process runs there.`;
    const present = (await Promise.all(SIDEKIQ_SIGNATURE_KEYS.map((k) => target.exists(k)))).some((n) => n > 0);
    if (present && !(await target.exists(SIDEKIQ_KEYS.sandboxMarker))) {
      return `The sandbox's Sidekiq database ${describeUrl(sidekiqUrl)} was left alone: it holds Sidekiq data the sandbox did not write. Set SUPPORT_SANDBOX_SIDEKIQ_REDIS to a database of its own.`;
    }
    const failedOf = async (queue: 'dqt' | 'trs') => (await queues.queues[queue].getFailed(0, -1)).filter(Boolean);
    const [dqtFailed, trsFailed] = [await failedOf('dqt'), await failedOf('trs')];
    const api = options.api ?? (trsFailed.length && !dqtFailed.length ? 'trs' : 'dqt');
    // Only the jobs the sandbox's Register has: today's Register has no Dqt:: jobs, the DQT era no Trs:: ones.
    const failed = (api === 'trs' ? trsFailed : dqtFailed).sort((a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0));
    const dead = failed.map((job) => deadEntry(job.id!, job.name, job.data as { arguments?: unknown[]; trainee?: unknown }, job.failedReason ?? '', errorClassFromStackText(JSON.stringify(job.stacktrace ?? [])), job.timestamp, job.finishedOn ?? job.timestamp));
    const retrying = [4, 11].map((traineeId, i) => retryEntry(api, traineeId, now.getTime() - (i + 1) * 7_200_000, now.getTime() + (i + 1) * 3_600_000));
    const tx = target.multi().del(SIDEKIQ_KEYS.dead, SIDEKIQ_KEYS.retry, SIDEKIQ_KEYS.schedule, SIDEKIQ_KEYS.queues);
    for (const d of dead) tx.zadd(SIDEKIQ_KEYS.dead, d.score, d.json);
    for (const r of retrying) tx.zadd(SIDEKIQ_KEYS.retry, r.score, r.json);
    tx.sadd(SIDEKIQ_KEYS.queues, api).set(SIDEKIQ_KEYS.sandboxMarker, JSON.stringify({ seededAt: now.toISOString(), from: `${describeUrl(bullmq.url)} prefix ${bullmq.prefix}` }));
    await tx.exec();
    return `The sandbox's Sidekiq database (${describeUrl(sidekiqUrl)}) holds ${dead.length} dead and ${retrying.length} retrying Register-shaped jobs (QUEUE_BACKEND=sidekiq REDIS_URL=${describeUrl(sidekiqUrl)} to look at them).`;
  } finally {
    target.disconnect();
    await queues.close();
  }
}

const seconds = (ms: number) => Math.round(ms * 1000) / 1e6;
const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);
const uuid = (seed: string) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const headers = (at: number) => `{"date"=>["${new Date(at).toUTCString()}"], "content-type"=>["application/problem+json; charset=utf-8"]}`;

/** The ActiveJob arguments of a BullMQ sandbox job in Register's form: times become TimeWithZones; the extra trainee is dropped. */
function ajArguments(args: unknown[]): unknown[] {
  return args.map((a) => (typeof a === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(a) ? { _aj_serialized: 'ActiveJob::Serializers::TimeWithZoneSerializer', value: iso9(a), time_zone: 'Etc/UTC' } : a));
}

function payload(seed: string, jobClass: string, args: unknown[], createdAt: number): Record<string, unknown> {
  const settings = REGISTER_JOB_CLASSES[jobClass] ?? { queue: 'default', retry: true };
  return {
    retry: settings.retry,
    queue: settings.queue,
    wrapped: jobClass,
    args: [
      {
        job_class: jobClass,
        job_id: uuid(`job:${seed}`),
        provider_job_id: null,
        queue_name: settings.queue,
        priority: null,
        arguments: ajArguments(args),
        executions: 0,
        exception_executions: {},
        locale: 'en',
        timezone: 'UTC',
        enqueued_at: iso9(new Date(createdAt)),
        scheduled_at: null,
      },
    ],
    class: RAILS_ACTIVEJOB_WRAPPER,
    jid: hex(`jid:${seed}`, 24),
    created_at: seconds(createdAt),
  };
}

/** How long Sidekiq takes to use up `retries` retries, without the random part: the sum of (count ^ 4) + 15 seconds. */
function retryWindowMs(retries: number): number {
  let seconds = 0;
  for (let count = 0; count < retries; count++) seconds += count ** 4 + 15;
  return seconds * 1000;
}

function deadEntry(id: string, jobClass: string, data: { arguments?: unknown[] }, message: string, errorClass: string | null, createdAt: number, diedAt: number): { score: string; json: string } {
  const p = payload(`dead:${id}`, jobClass, data.arguments ?? [], createdAt);
  const retries = typeof p.retry === 'number' ? p.retry : p.retry === true ? 25 : 0;
  // DQT-era jobs keep the window the sandbox always showed; a Trs:: job's is Sidekiq's own (about 4.3 h for 10, 20.4 days for 25).
  const firstFailure = retries ? diedAt - (jobClass.startsWith('Trs::') ? retryWindowMs(retries) : 4 * 3_600_000) : diedAt;
  // The TRS client's message already ends with the response headers, as Register's Trs::Client::HttpError does.
  const withHeaders = !message.includes(', headers: ') && /^status: /.test(message);
  const errorClassName = registerErrorClass(jobClass, message, errorClass) ?? errorClass ?? 'StandardError';
  Object.assign(p, {
    enqueued_at: seconds(retries ? diedAt - 80 : createdAt + 1),
    error_message: withHeaders ? `${message}, headers: ${headers(diedAt)}` : message,
    error_class: errorClassName,
    failed_at: seconds(firstFailure),
    retry_count: retries,
    ...(retries ? { retried_at: seconds(diedAt - 5) } : {}),
  });
  // Trs::RetrieveTrnJob's `retry_on HttpError` tries 5 times inside each Sidekiq run; the last run's payload keeps its count.
  if (jobClass === 'Trs::RetrieveTrnJob' && errorClassName === 'Trs::Client::HttpError') {
    const aj = (p.args as Record<string, unknown>[])[0]!;
    Object.assign(aj, { executions: 4, exception_executions: { '[Trs::Client::HttpError]': 4 } });
  }
  return { score: seconds(diedAt).toFixed(6), json: JSON.stringify(p) };
}

/**
 * The class Register raised with this message. A `Trs::` job's is the toolkit's own error's, which carries Register's
 * class name (`Trs::UpdatePersonalData::PersonUpdateError`, `Trs::Client::HttpError`...); the DQT-era errors are read
 * from the text (the toolkit's BullMQ stack names its own JobTimedOut for the timeout).
 */
function registerErrorClass(jobClass: string, message: string, fromStack: string | null): string | null {
  if (jobClass.startsWith('Trs::')) return fromStack && fromStack.includes('::') ? fromStack : message.startsWith('status: ') ? 'Trs::Client::HttpError' : null;
  if (message.startsWith('status: ')) return 'Dqt::Client::HttpError';
  if (/^Dqt::RetrieveTrnJob for Trainee id: \d+ has timed out/.test(message)) return 'Dqt::RetrieveTrnJob::Timeout';
  if (message.startsWith('Cannot update trainee on DQT without a trn')) return 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn';
  return null;
}

function retryEntry(api: 'dqt' | 'trs', traineeId: number, lastFailure: number, nextTry: number): { score: string; json: string } {
  const jobClass = api === 'trs' ? 'Trs::UpdateProfessionalStatusJob' : 'Dqt::RecommendForAwardJob';
  const p = payload(`retry:${traineeId}`, jobClass, [{ _aj_globalid: `gid://register-trainee-teachers/Trainee/${traineeId}` }], lastFailure - 3_600_000);
  // Register today runs Ruby 3.4, whose Hash#inspect puts spaces around `=>` (the TRS client writes its errors so).
  const http = `status: 500, body: , headers: ${api === 'trs' ? rubyHashInspect({ date: [new Date(lastFailure).toUTCString()], 'content-type': ['application/problem+json; charset=utf-8'] }) : headers(lastFailure)}`;
  Object.assign(p, {
    enqueued_at: seconds(lastFailure - 200),
    error_message: api === 'trs' ? `Error updating professional status: ${http}` : http,
    error_class: api === 'trs' ? 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError' : 'Dqt::Client::HttpError',
    failed_at: seconds(lastFailure - 3_600_000 + 300),
    retry_count: 2,
    retried_at: seconds(lastFailure),
  });
  return { score: seconds(nextTry).toFixed(6), json: JSON.stringify(p) };
}

/** `seedSidekiqSandbox` as a seed hook: the sandbox only, after the BullMQ dead set is seeded. */
export const sidekiqSandboxSeedHook: SeedHook = {
  name: 'sidekiq-sandbox',
  run: async (db, config: Config) => {
    if (config.database.kind !== 'sandbox') return "the sandbox's Sidekiq sets are seeded only with the embedded sandbox database";
    if (config.redis.backend === 'sidekiq') return "the sandbox's Sidekiq sets were left as they are (QUEUE_BACKEND=sidekiq: no BullMQ dead set to copy them from)";
    const api = await registerFeatures(db).then((r) => r.api, () => undefined);
    return seedSidekiqSandbox(config.redis, config.sandbox.sidekiqRedisUrl, api ? { api } : {}).catch((error: Error) => `the sandbox's Sidekiq sets were not seeded: ${error.message}`);
  },
};
