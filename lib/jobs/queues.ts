import { Queue, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { describeUrl } from '../config/env.js';
import { JOB_DATA_SCHEMAS, parseJobData, traineeGlobalId, trnRequestGlobalId, trsTrnRequestGlobalId, type JobData } from './data.js';
import { JOB_SETTINGS, QUEUE_NAMES, type JobName, type QueueName } from './names.js';

/**
 * Register's queues (`dqt`, `trs`, `default`) on the configured Redis, and the one way to put a job on them.
 * Other parts of the toolkit (a Plan's post-commit actions, the dead-job tools, the runbooks) call `enqueue`.
 *
 * @example
 * const jobs = openJobQueues(config.redis);
 * await jobs.enqueue('Dqt::UpdateTraineeJob', { traineeId: 201 });
 * await jobs.enqueue('Dqt::RetrieveTrnJob', { trnRequestId: 7, traineeId: 208, timeoutAfter: '2026-12-04T00:00:00Z' }); // playbook restart
 * await jobs.enqueue('Trs::UpdateProfessionalStatusJob', { traineeId: 405 });                                   // today's Register
 * await jobs.enqueue('Trs::RetrieveTrnJob', { trnRequestId: 401, traineeId: 408, timeoutAfter: null });
 * await jobs.close();
 */
export interface EnqueueArgs {
  'Dqt::RegisterForTrnJob': { traineeId: number };
  /** `timeoutAfter` null or left out: the first run sets it to submitted_for_trn_at + 4 days. */
  'Dqt::RetrieveTrnJob': { trnRequestId: number; traineeId: number; timeoutAfter?: Date | string | null };
  'Dqt::UpdateTraineeJob': { traineeId: number };
  'Dqt::WithdrawTraineeJob': { traineeId: number; timeoutAfter?: Date | string | null };
  'Dqt::RecommendForAwardJob': { traineeId: number };
  'Trs::RegisterForTrnJob': { traineeId: number };
  /** `trnRequestId` is a `trs_trn_requests` id. `timeoutAfter` null or left out: the first run sets it to submitted_for_trn_at + 4 days (10 in October). */
  'Trs::RetrieveTrnJob': { trnRequestId: number; traineeId: number; timeoutAfter?: Date | string | null };
  'Trs::UpdateTraineeJob': { traineeId: number };
  'Trs::UpdateProfessionalStatusJob': { traineeId: number };
  import_applications_from_apply: { fromDate?: string | null; recruitmentCycleYears?: number[] | null };
  create_trainees_from_apply: Record<string, never>;
}

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now (ActiveJob's `set(wait:)`). */
  delayMs?: number;
  /** A job id of your own (BullMQ ignores a second add with the same id while the first exists). */
  jobId?: string;
}

function iso(name: string, v: Date | string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`${name}: timeoutAfter must be a date or an ISO time such as 2026-12-04T09:00:00Z, got ${JSON.stringify(v)}.`);
  return d.toISOString();
}

/** Job data in Register's shape for a job and its arguments. Throws naming a bad argument. */
export function buildJobData<N extends JobName>(name: N, args: EnqueueArgs[N]): JobData<N> {
  if (!Object.prototype.hasOwnProperty.call(JOB_DATA_SCHEMAS, name)) throw new Error(`Unknown job "${String(name)}". Known jobs: ${Object.keys(JOB_DATA_SCHEMAS).join(', ')}.`);
  if (!args || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`${String(name)}: the arguments must be an object such as { traineeId: 201 }, got ${JSON.stringify(args) ?? String(args)}.`);
  }
  const a = args as Record<string, unknown>;
  const id = (key: string) => {
    const v = a[key];
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${name}: ${key} must be a record id (a whole number from 1), got ${JSON.stringify(v)}.`);
    return v as number;
  };
  let data: unknown;
  switch (name) {
    case 'Dqt::RetrieveTrnJob':
      data = { job_class: name, arguments: [trnRequestGlobalId(id('trnRequestId')), iso(name, a.timeoutAfter as never)], trainee: traineeGlobalId(id('traineeId')) };
      break;
    case 'Trs::RetrieveTrnJob':
      data = { job_class: name, arguments: [trsTrnRequestGlobalId(id('trnRequestId')), iso(name, a.timeoutAfter as never)], trainee: traineeGlobalId(id('traineeId')) };
      break;
    case 'Dqt::WithdrawTraineeJob':
      data = { job_class: name, arguments: [traineeGlobalId(id('traineeId')), iso(name, a.timeoutAfter as never)] };
      break;
    case 'Dqt::RegisterForTrnJob':
    case 'Dqt::UpdateTraineeJob':
    case 'Dqt::RecommendForAwardJob':
    case 'Trs::RegisterForTrnJob':
    case 'Trs::UpdateTraineeJob':
    case 'Trs::UpdateProfessionalStatusJob':
      data = { job_class: name, arguments: [traineeGlobalId(id('traineeId'))] };
      break;
    case 'import_applications_from_apply':
      data = { job_class: 'RecruitsApi::ImportApplicationsJob', arguments: [{ from_date: (a.fromDate as string) ?? null, recruitment_cycle_years: (a.recruitmentCycleYears as number[]) ?? null }] };
      break;
    case 'create_trainees_from_apply':
      data = { job_class: 'Trainees::CreateFromApplyJob', arguments: [] };
      break;
    default:
      throw new Error(`Unknown job "${String(name)}". Known jobs: ${Object.keys(JOB_DATA_SCHEMAS).join(', ')}.`);
  }
  return parseJobData(name, data);
}

/** BullMQ options for a job: Register's attempts, Sidekiq-like backoff, failed jobs kept (they are the dead set). */
export function jobOptions(name: JobName, options: EnqueueOptions = {}): JobsOptions {
  return {
    attempts: JOB_SETTINGS[name].attempts,
    backoff: { type: 'sidekiq' },
    removeOnComplete: { count: 1000 },
    removeOnFail: false,
    ...(options.delayMs ? { delay: options.delayMs } : {}),
    ...(options.jobId ? { jobId: options.jobId } : {}),
  };
}

export interface RedisSettings {
  url: string;
  /** BullMQ key prefix (`config.redis.prefix`, default `bull:<checkout id>`). */
  prefix: string;
}

export class JobQueues {
  readonly connection: Redis;
  readonly prefix: string;
  readonly queues: Readonly<Record<QueueName, Queue>>;
  readonly #ownsConnection: boolean;

  constructor(redis: RedisSettings, connection?: Redis) {
    this.#ownsConnection = !connection;
    this.connection = connection ?? new Redis(redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
    // An unreachable Redis must not crash a notebook kernel: the error is kept and reported by ensureReachable.
    this.connection.on('error', (error: Error) => (this.#lastError = error));
    this.prefix = redis.prefix;
    this.#url = redis.url;
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((q) => {
        const queue = new Queue(q, { connection: this.connection, prefix: redis.prefix });
        queue.on('error', (error: Error) => (this.#lastError = error));
        return [q, queue];
      }),
    ) as Record<QueueName, Queue>;
  }

  readonly #url: string;
  #lastError: Error | null = null;
  #reachable = false;

  /** Fails within `timeoutMs` with a clear message when Redis cannot be reached, instead of waiting for ever. */
  async ensureReachable(timeoutMs = 5_000): Promise<void> {
    if (this.#reachable && this.connection.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const ping = this.connection.ping().then(() => true);
    ping.catch(() => undefined);
    const ok = await Promise.race([ping, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(() => clearTimeout(timer));
    if (!ok) {
      const why = this.#lastError ? ` (${(this.#lastError as Error & { code?: string }).code ?? this.#lastError.message})` : '';
      throw new Error(`Cannot reach Redis at ${describeUrl(this.#url)}${why} within ${timeoutMs / 1000} s: start Redis or check REDIS_URL.`);
    }
    this.#reachable = true;
  }

  /** What a notebook shows for this object: never the connection (its options may hold a Redis password). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `JobQueues(${Object.keys(this.queues).join(', ')} on ${describeUrl(this.#url)}, prefix ${this.prefix})`;
  }
  toJSON(): { queues: string[]; redis: string; prefix: string } {
    return { queues: Object.keys(this.queues), redis: describeUrl(this.#url), prefix: this.prefix };
  }

  /** The queue a job runs on. */
  queueFor(name: JobName): Queue {
    return this.queues[JOB_SETTINGS[name].queue];
  }

  /** Puts a job on its queue with Register's retry settings. Returns the BullMQ job. */
  async enqueue<N extends JobName>(name: N, args: EnqueueArgs[N], options: EnqueueOptions = {}): Promise<Job> {
    const data = buildJobData(name, args);
    await this.ensureReachable().catch((error: Error) => {
      throw new Error(`${error.message} Nothing was enqueued.`);
    });
    return this.queueFor(name).add(name, data, jobOptions(name, options));
  }

  /** Closes the queues and the connection; bounded, so an unreachable Redis cannot hold it up. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const closing = Promise.all(Object.values(this.queues).map((q) => q.close().catch(() => undefined)));
    await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]).finally(() => clearTimeout(timer));
    if (!this.#ownsConnection) return;
    if (this.connection.status === 'ready') await this.connection.quit().catch(() => undefined);
    else this.connection.disconnect();
  }
}

/** Opens the `dqt` and `default` queues on `config.redis`. */
export function openJobQueues(redis: RedisSettings): JobQueues {
  return new JobQueues(redis);
}
