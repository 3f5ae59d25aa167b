import { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_NAMES, type JobName } from '../../jobs/names.js';
import type { JobQueues, EnqueueArgs } from '../../jobs/queues.js';
import { errorClassFromStackText } from '../../jobs/dead.js';
import { jobSubjectFromText } from '../globalid.js';
import { isRegisterJobClass } from '../register-jobs.js';
import type {
  ActionOutcome,
  ActiveJobArgument,
  EnqueueRequest,
  JobActionKind,
  JobEntry,
  JobStore,
  JobToActOn,
  LocationCheck,
  ScanOptions,
  StoreInfo,
  StoreSummary,
  BullmqLocation,
} from '../store.js';
import { JOB_STATES, queueKeys, type JobState } from './keys.js';
import { scanList, scanSortedSetRaw } from './scan.js';
import { appendLedger, findInLedger } from '../ledger.js';

/** The queues read when a tool names none: Register's integration queues of both eras, `dqt` (2024-08) and `trs` (today); the other era's is empty. */
export const BULLMQ_DEFAULT_QUEUES: readonly string[] = ['dqt', 'trs'];

/**
 * The toolkit's own queues on BullMQ (the sandbox's `dqt`, `trs` and `default`, run by `support worker`) behind the job-store
 * interface. A dead job is a job in `failed` (BullMQ keeps a job that will be retried in `delayed`).
 *
 * @example
 * const store = new BullmqJobStore(openJobQueues(config.redis));
 * for await (const batch of store.scan({ states: ['failed'], queues: ['dqt'] })) …
 */

export class BullmqJobStore implements JobStore {
  readonly #chosenBy: StoreInfo['chosenBy'];
  readonly #owns: boolean;

  constructor(
    /** The BullMQ queues (for BullMQ-only needs: the toolkit's worker, tests). */
    readonly jobs: JobQueues,
    settings: { chosenBy?: StoreInfo['chosenBy']; ownsQueues?: boolean } = {},
  ) {
    this.#chosenBy = settings.chosenBy ?? 'QUEUE_BACKEND';
    this.#owns = settings.ownsQueues ?? true;
  }

  async info(): Promise<StoreInfo> {
    return {
      backend: 'bullmq',
      where: `${this.jobs.toJSON().redis} (prefix ${this.jobs.prefix})`,
      chosenBy: this.#chosenBy,
      states: JOB_STATES,
      deadState: 'failed',
      failingStates: ['failed'],
      defaultQueues: [...BULLMQ_DEFAULT_QUEUES],
    };
  }

  async connection(): Promise<Redis> {
    return this.jobs.connection;
  }

  ensureReachable(timeoutMs?: number): Promise<void> {
    return this.jobs.ensureReachable(timeoutMs);
  }

  async summary(): Promise<StoreSummary> {
    const counts: Record<string, number> = Object.fromEntries(JOB_STATES.map((s) => [s, 0]));
    const queues = Object.keys(this.jobs.queues);
    for (const queue of queues) {
      const keys = queueKeys(this.jobs.prefix, queue);
      const pipeline = this.jobs.connection.pipeline();
      for (const s of JOB_STATES) {
        const { key, type } = keys.state[s];
        if (type === 'list') pipeline.llen(key);
        else pipeline.zcard(key);
      }
      const results = (await pipeline.exec()) ?? [];
      JOB_STATES.forEach((s, i) => (counts[s]! += Number(results[i]?.[1] ?? 0)));
    }
    return { info: await this.info(), counts, queues, processes: null };
  }

  async *scan(options: ScanOptions): AsyncGenerator<JobEntry[]> {
    const unknown = options.states.filter((s) => !(JOB_STATES as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`BullMQ has no state ${unknown.map((s) => `"${s}"`).join(', ')}: its states are ${JOB_STATES.join(', ')}.`);
    const queues = options.queues?.length ? options.queues : BULLMQ_DEFAULT_QUEUES;
    const prefix = this.jobs.prefix;
    const redis = this.jobs.connection;
    for (const queue of queues) {
      for (const state of options.states as JobState[]) {
        if (state === 'waiting' || state === 'active') {
          for await (const batch of scanList(redis, state, { prefix, queue, fields: [...ENTRY_FIELDS], batchSize: options.batchSize, onProgress: options.onProgress })) {
            yield batch.map((job) => entryOf(queue, state, job.id, null, ENTRY_FIELDS.map((f) => job.fields[f] ?? null)));
          }
          continue;
        }
        for await (const raw of scanSortedSetRaw(redis, state, { prefix, queue, fields: [...ENTRY_FIELDS], batchSize: options.batchSize, onProgress: options.onProgress })) {
          const batch: JobEntry[] = new Array(raw.ids.length);
          const needClass: number[] = [];
          for (let i = 0; i < raw.ids.length; i++) {
            batch[i] = entryOf(queue, state, raw.ids[i]!, raw.scores[i]!, raw.values[i]!);
            if (options.errorClassFor && batch[i]!.message !== null && options.errorClassFor(batch[i]!.message)) needClass.push(i);
          }
          if (needClass.length) {
            // BullMQ keeps the error class only in the stack trace: read it for these jobs alone.
            const pipeline = redis.pipeline();
            for (const i of needClass) pipeline.hget(queueKeys(prefix, queue).job(batch[i]!.jobId), 'stacktrace');
            const stacks = (await pipeline.exec()) ?? [];
            needClass.forEach((i, j) => (batch[i]!.errorClass = errorClassFromStackText((stacks[j]?.[1] as string | null) ?? null)));
          }
          yield batch;
        }
      }
    }
  }

  async check(jobs: readonly JobToActOn[]): Promise<LocationCheck[]> {
    const out: LocationCheck[] = [];
    for (const j of jobs) out.push((await this.#find(j)).check);
    return out;
  }

  async #find(j: JobToActOn): Promise<{ job: Job | null; check: LocationCheck }> {
    const l = bullmqLocation(j.location);
    const queue = (this.jobs.queues as Record<string, JobQueues['queues'][keyof JobQueues['queues']]>)[l.queue];
    if (!queue) return { job: null, check: { status: 'vanished', detail: `job #${l.jobId}: there is no queue "${l.queue}" (queues: ${Object.keys(this.jobs.queues).join(', ')})` } };
    const job = (await Job.fromId(queue, l.jobId)) ?? null;
    if (!job) return { job: null, check: { status: 'vanished', detail: `job #${l.jobId} no longer exists` } };
    const state = await job.getState();
    if (state !== 'failed') return { job, check: { status: 'changed', detail: `job #${l.jobId} is now ${state}, not failed` } };
    if ((job.failedReason ?? '') !== (j.expectedMessage ?? '')) return { job, check: { status: 'changed', detail: `job #${l.jobId} failed again with another error: ${job.failedReason}` } };
    return { job, check: { status: 'same', detail: '' } };
  }

  async apply(action: JobActionKind, jobs: readonly JobToActOn[]): Promise<ActionOutcome[]> {
    const out: ActionOutcome[] = [];
    for (const j of jobs) {
      const l = bullmqLocation(j.location);
      if (action === 'kill') {
        out.push({ status: 'refused', message: `Not killed: job #${l.jobId} is on BullMQ, where a failed job is already dead and a retrying one cannot be moved to failed by hand.` });
        continue;
      }
      const { job, check } = await this.#find(j);
      if (check.status !== 'same' || !job) {
        out.push({ status: check.status === 'same' ? 'vanished' : check.status, message: `Not ${action === 'retry' ? 'retried' : 'deleted'}: ${check.detail}` });
        continue;
      }
      try {
        if (action === 'retry') await job.retry('failed');
        else await job.remove();
        out.push({ status: 'done', message: `${action === 'retry' ? 'Retried' : 'Deleted'} ${job.name} #${l.jobId}.`, jobId: l.jobId });
      } catch (error) {
        out.push({ status: 'vanished', message: `Not ${action === 'retry' ? 'retried' : 'deleted'}: job #${l.jobId} moved just before (${(error as Error).message}).` });
      }
    }
    return out;
  }

  async enqueue(request: EnqueueRequest & { traineeId?: number }): Promise<ActionOutcome> {
    if (!(JOB_NAMES as readonly string[]).includes(request.jobClass)) {
      return { status: 'refused', message: `Not enqueued: the toolkit's BullMQ worker does not run ${request.jobClass} (it runs ${JOB_NAMES.join(', ')}).` };
    }
    const name = request.jobClass as JobName;
    const job = await this.jobs.enqueue(name, enqueueArgs(name, request.arguments, request.traineeId) as never);
    return { status: 'done', message: `Enqueued ${name} #${job.id} on queue ${job.queueName}.`, jobId: String(job.id) };
  }

  async pollingQueues(): Promise<null> {
    return null;
  }

  async waitForOutcome(queueName: string, jobId: string, timeoutMs: number): Promise<string> {
    const queue = (this.jobs.queues as Record<string, JobQueues['queues'][keyof JobQueues['queues']]>)[queueName];
    if (!queue) return `no queue ${queueName}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await Job.fromId(queue, jobId);
      const state = job ? await job.getState() : 'missing';
      if (state === 'completed' || state === 'missing') return state;
      // A retried job left the failed set: failed now means it failed again.
      if (state === 'failed') return 'failed again';
      if (Date.now() > deadline) return `still ${state} after ${Math.round(timeoutMs / 1000)} s`;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async readLedger<T>(limit: number): Promise<T[]> {
    return (await this.jobs.connection.lrange(ledgerKey(this.jobs.prefix), 0, limit - 1)).map((e) => JSON.parse(e) as T);
  }

  async findInLedger<T>(planId: string): Promise<T | null> {
    return findInLedger<T>(this.jobs.connection, ledgerKey(this.jobs.prefix), planId);
  }

  async appendLedger(entry: { planId: string }): Promise<void> {
    await appendLedger(this.jobs.connection, ledgerKey(this.jobs.prefix), entry);
  }

  async close(): Promise<void> {
    if (this.#owns) await this.jobs.close();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `BullmqJobStore(${this.jobs.toJSON().redis}, prefix ${this.jobs.prefix})`;
  }
  toJSON(): { backend: string; queues: unknown } {
    return { backend: 'bullmq', queues: this.jobs.toJSON() };
  }
}

/** The run ledger's key: `<prefix>:support:ledger`. */
export const ledgerKey = (prefix: string) => `${prefix}:support:ledger`;

/** The hash fields a scan reads per job. */
export const ENTRY_FIELDS = ['name', 'data', 'failedReason', 'atm', 'finishedOn', 'timestamp'] as const;

/** A BullMQ job's fields (ENTRY_FIELDS order) as a JobEntry. */
function entryOf(queue: string, state: JobState, id: string, score: string | null, values: readonly (string | null)[]): JobEntry {
  const [name, data, failedReason, atm, finishedOn, timestamp] = values;
  const subject = jobSubjectFromText(data ?? null);
  const finished = finishedOn ? Number(finishedOn) : null;
  const jobName = name ?? null;
  const known = jobName !== null && (isRegisterJobClass(jobName) || (JOB_NAMES as readonly string[]).includes(jobName));
  const dataOk = !data || data.charCodeAt(0) === 123; // '{'
  let at: number | null = finished;
  // A delayed job's score is its run time × 4096 (plus a counter).
  if (state === 'delayed' && score !== null) at = Math.floor(Number(score) / 0x1000);
  return {
    location: { backend: 'bullmq', queue, jobId: id },
    queue,
    state,
    jobId: id,
    jobName,
    shape: !dataOk ? 'not-json' : known ? 'activejob' : 'unknown-class',
    shapeProblem: !dataOk ? 'its data is not a JSON object' : known ? null : `${jobName ?? '(no name)'} is not one of Register's job classes`,
    traineeId: subject.traineeId,
    trnRequestId: subject.trnRequestId,
    message: failedReason ?? (state === 'failed' ? '' : null),
    errorClass: null,
    enqueuedAt: timestamp ? Number(timestamp) : null,
    firstFailedAt: null,
    failedAt: state === 'failed' ? finished : null,
    at,
    attempts: atm ? Number(atm) : 0,
    removedByCleanup: false,
  };
}

function bullmqLocation(location: JobToActOn['location']): BullmqLocation {
  if (location.backend !== 'bullmq') throw new Error(`A ${location.backend} job cannot be acted on in BullMQ: the plan was built on another backend. Build it again.`);
  return location;
}

/** The toolkit's BullMQ job data from ActiveJob arguments (the RetrieveTrnJob also carries its trainee). */
function enqueueArgs(name: JobName, args: readonly ActiveJobArgument[], traineeId: number | undefined): EnqueueArgs[JobName] {
  const record = (model: RegExp) => {
    const a = args.find((x): x is { record: string; id: number } => !!x && typeof x === 'object' && 'record' in x && model.test(x.record));
    return a?.id;
  };
  const time = args.find((x): x is { timeWithZone: string } => !!x && typeof x === 'object' && 'timeWithZone' in x)?.timeWithZone ?? null;
  switch (name) {
    case 'Dqt::RetrieveTrnJob':
    case 'Trs::RetrieveTrnJob':
      return { trnRequestId: record(/TrnRequest$/)!, traineeId: traineeId!, timeoutAfter: time } as EnqueueArgs[JobName];
    case 'Dqt::WithdrawTraineeJob':
      return { traineeId: record(/^Trainee$/)!, timeoutAfter: time } as EnqueueArgs[JobName];
    default:
      return { traineeId: record(/^Trainee$/)! } as EnqueueArgs[JobName];
  }
}
