import { randomBytes, randomUUID } from 'node:crypto';
import { parseGlobalId, REGISTER_GLOBALID_APP } from './globalid.js';
import type { ActiveJobArgument, EnqueueRequest } from './store.js';

/**
 * ActiveJob's argument encoding (Rails 6.1–8.1, `active_job/arguments.rb`), read and written:
 * - a record: `{"_aj_globalid": "gid://register-trainee-teachers/Trainee/123"}`;
 * - a TimeWithZone: `{"_aj_serialized": "ActiveJob::Serializers::TimeWithZoneSerializer", "value": <ISO, 9 decimals>,
 *   "time_zone": "Etc/UTC"}` (Rails 6.1 writes no `time_zone`); other `_aj_serialized` values (Symbol, Date, Duration…);
 * - keyword arguments: a hash with `"_aj_ruby2_keywords": [names]`; other hashes may carry `_aj_symbol_keys` or
 *   `_aj_hash_with_indifferent_access`.
 *
 * @example
 * decodeActiveJobArgument({ _aj_globalid: 'gid://register-trainee-teachers/Dqt::TrnRequest/201' })
 * // { type: 'record', model: 'Dqt::TrnRequest', id: 201, app: 'register-trainee-teachers', gid: 'gid://…' }
 * describeActiveJobValue(decodeActiveJobArgument(timeWithZone)) // '2026-12-04T00:00:00.000000000Z (Etc/UTC)'
 */
export type ActiveJobValue =
  | { type: 'record'; gid: string; app: string; model: string; id: number }
  | { type: 'time'; value: string; timeZone: string | null }
  | { type: 'symbol'; name: string }
  | { type: 'serialized'; serializer: string; value: unknown }
  | { type: 'keywords'; values: Record<string, ActiveJobValue> }
  | { type: 'hash'; values: Record<string, ActiveJobValue>; symbolKeys: boolean }
  | { type: 'array'; values: ActiveJobValue[] }
  | { type: 'value'; value: string | number | boolean | null };

const TIME_WITH_ZONE = 'ActiveJob::Serializers::TimeWithZoneSerializer';
const RESERVED = new Set(['_aj_globalid', '_aj_serialized', '_aj_ruby2_keywords', '_aj_symbol_keys', '_aj_hash_with_indifferent_access']);

export function decodeActiveJobArgument(value: unknown): ActiveJobValue {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { type: 'value', value };
  if (Array.isArray(value)) return { type: 'array', values: value.map(decodeActiveJobArgument) };
  if (typeof value !== 'object') return { type: 'value', value: String(value) };
  const o = value as Record<string, unknown>;
  if (typeof o._aj_globalid === 'string') {
    const gid = parseGlobalId(o._aj_globalid);
    if (gid) return { type: 'record', gid: o._aj_globalid, ...gid };
  }
  if (typeof o._aj_serialized === 'string') {
    if (o._aj_serialized === TIME_WITH_ZONE && typeof o.value === 'string') return { type: 'time', value: o.value, timeZone: typeof o.time_zone === 'string' ? o.time_zone : null };
    if (o._aj_serialized === 'ActiveJob::Serializers::SymbolSerializer' && typeof o.value === 'string') return { type: 'symbol', name: o.value };
    return { type: 'serialized', serializer: o._aj_serialized, value: o.value };
  }
  const values: Record<string, ActiveJobValue> = {};
  for (const [k, v] of Object.entries(o)) if (!RESERVED.has(k)) values[k] = decodeActiveJobArgument(v);
  if (Array.isArray(o._aj_ruby2_keywords)) return { type: 'keywords', values };
  return { type: 'hash', values, symbolKeys: Array.isArray(o._aj_symbol_keys) };
}

/** One decoded argument in words: `Trainee 123`, `2026-12-04T00:00:00Z (Etc/UTC)`, `timeout_after: …`. */
export function describeActiveJobValue(v: ActiveJobValue): string {
  switch (v.type) {
    case 'record':
      return `${v.model} ${v.id}`;
    case 'time':
      return `${v.value}${v.timeZone ? ` (${v.timeZone})` : ''}`;
    case 'symbol':
      return `:${v.name}`;
    case 'serialized':
      return `${v.serializer.replace(/^ActiveJob::Serializers::/, '').replace(/Serializer$/, '')}(${JSON.stringify(v.value)})`;
    case 'keywords':
      return Object.entries(v.values).map(([k, x]) => `${k}: ${describeActiveJobValue(x)}`).join(', ');
    case 'hash':
      return `{${Object.entries(v.values).map(([k, x]) => `${v.symbolKeys ? `${k}:` : `"${k}" =>`} ${describeActiveJobValue(x)}`).join(', ')}}`;
    case 'array':
      return `[${v.values.map(describeActiveJobValue).join(', ')}]`;
    case 'value':
      return v.value === null ? 'nil' : JSON.stringify(v.value);
  }
}

/** A record argument, as the toolkit writes it: Register's GlobalID app name. */
export const recordArgument = (model: string, id: number): ActiveJobArgument => ({ record: model, id });
/** A time argument: a TimeWithZone in UTC. */
export const timeArgument = (at: Date | string): ActiveJobArgument => ({ timeWithZone: new Date(at).toISOString() });

/** ISO 8601 with nine decimals and Z, as Rails' `iso8601(9)` on a UTC time. */
export function iso9(at: Date | string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new Error(`"${String(at)}" is not a time: give an ISO time such as 2026-12-04T00:00:00Z.`);
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** An argument in ActiveJob's serialized form (what goes into `arguments`). */
export function encodeActiveJobArgument(a: ActiveJobArgument): unknown {
  if (a === null || typeof a !== 'object') return a;
  if ('record' in a) {
    if (!/^[A-Z][A-Za-z]*(::[A-Z][A-Za-z]*)*$/.test(a.record) || !Number.isInteger(a.id) || a.id < 1) throw new Error(`A record argument needs a model name such as Trainee and a whole id from 1, got ${a.record} ${a.id}.`);
    return { _aj_globalid: `gid://${REGISTER_GLOBALID_APP}/${a.record}/${a.id}` };
  }
  if ('timeWithZone' in a) return { _aj_serialized: TIME_WITH_ZONE, value: iso9(a.timeWithZone), time_zone: 'Etc/UTC' };
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a.keywords)) values[k] = encodeActiveJobArgument(v);
  return { ...values, _aj_ruby2_keywords: Object.keys(a.keywords) };
}

/**
 * The Sidekiq job JSON Register's ActiveJob writes for `perform_later` (Rails 7.1–8.1 on Sidekiq 6.5): keys in
 * Sidekiq's order (`retry`, `queue`, `wrapped`, `args`, `class`, `jid`, `created_at`, `enqueued_at`), the ActiveJob
 * hash in Rails' order, times as float seconds (`unit: 'milliseconds'` for Sidekiq 8).
 *
 * @example
 * activeJobPayload({ jobClass: 'Dqt::RetrieveTrnJob', queue: 'dqt', retry: 10, arguments: [recordArgument('Dqt::TrnRequest', 201), timeArgument('2026-12-04')] })
 */
export function activeJobPayload(
  request: EnqueueRequest,
  options: { now?: Date; unit?: 'seconds' | 'milliseconds'; jid?: string; jobId?: string; wrapperClass?: string } = {},
): { json: string; jid: string; jobId: string } {
  if (!/^[A-Z][\w]*(::[A-Z][\w]*)*$/.test(request.jobClass)) throw new Error(`"${request.jobClass}" is not a job class name (expected e.g. Dqt::RetrieveTrnJob).`);
  if (!/^[\w-]+$/.test(request.queue)) throw new Error(`"${request.queue}" is not a queue name (expected e.g. dqt).`);
  const now = options.now ?? new Date();
  const jid = options.jid ?? randomBytes(12).toString('hex');
  const jobId = options.jobId ?? randomUUID();
  const at = options.unit === 'milliseconds' ? String(now.getTime()) : (now.getTime() / 1000).toFixed(6);
  const activeJob = {
    job_class: request.jobClass,
    job_id: jobId,
    provider_job_id: null,
    queue_name: request.queue,
    priority: null,
    arguments: request.arguments.map(encodeActiveJobArgument),
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: iso9(now),
    scheduled_at: null,
  };
  const head = JSON.stringify({
    retry: request.retry ?? true,
    queue: request.queue,
    wrapped: request.jobClass,
    args: [activeJob],
    class: options.wrapperClass ?? 'ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper',
    jid,
  });
  // Times are written by hand so they keep their fraction (Sidekiq 8 reads a whole number as milliseconds).
  return { json: `${head.slice(0, -1)},"created_at":${at},"enqueued_at":${at}}`, jid, jobId };
}
