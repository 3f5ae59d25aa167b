import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describeUrl } from '../../config/env.js';
import { activeJobPayload } from '../activejob.js';
import { REGISTER_JOB_CLASSES } from '../register-jobs.js';
import type {
  ActionOutcome,
  EnqueueRequest,
  JobActionKind,
  JobEntry,
  JobStore,
  JobToActOn,
  LocationCheck,
  ScanOptions,
  SidekiqLocation,
  StoreInfo,
  StoreSummary,
} from '../store.js';
import { DeadDuplicatesCleanup } from './cleanup.js';
import { retryEdits } from './json-edit.js';
import { sidekiqTimeJson } from './time.js';
import { DEAD_SET_DEFAULTS, SIDEKIQ_KEYS, SIDEKIQ_STATES, type SidekiqState } from './keys.js';
import { readSidekiqEntry, readSidekiqJob } from './payload.js';
import { queuesPolled, readSidekiqProcesses } from './processes.js';
import { scanQueueList, scanSortedSetNewestFirst } from './scan.js';
import { appendLedger, findInLedger } from '../ledger.js';

/**
 * Register's jobs on Sidekiq, read and acted on with ioredis alone (no Sidekiq library), as Sidekiq's own API does
 * minus its races:
 * - delete is `ZREM` of the exact member as stored;
 * - retry removes and pushes in one Lua script that pushes only if the removal happened (`retry_count` − 1,
 *   `enqueued_at` now, every other byte kept), so a job the poller, a death or Register's clean-up moved meanwhile is
 *   reported and never pushed twice;
 * - kill moves a retrying job to the dead set the same way, trimmed as Sidekiq trims it;
 * - nothing is pushed onto a queue no running Sidekiq process polls (e.g. `dqt` on today's Register).
 *
 * @example
 * const store = new SidekiqJobStore(new Redis('redis://127.0.0.1:6379/0'), { url: 'redis://127.0.0.1:6379/0' });
 * const [outcome] = await store.apply('retry', [{ location, expectedMessage }]);
 */
export interface SidekiqStoreSettings {
  /** For messages (the password is masked). */
  url: string;
  chosenBy?: StoreInfo['chosenBy'];
  /** The dead set's trimming, as the Sidekiq server is configured (Register keeps Sidekiq's defaults). */
  deadSet?: { maxJobs: number; timeoutSeconds: number };
  /** Close the connection with the store (default true). */
  ownsConnection?: boolean;
  /** How long a job must be seen nowhere before `waitForOutcome` calls it completed (default 6 s: one heartbeat). */
  quietPeriodMs?: number;
}

/**
 * One script for the three actions: find the exact member (same score, byte size and SHA-1 as the plan's re-check
 * read), remove it, and only if that happened act: retry pushes it with the edits applied (`retry_count` − 1,
 * `enqueued_at` now, byte offsets last first), kill adds it to the dead set and trims it as Sidekiq does, delete does
 * nothing more. Returns 1 when it acted, 0 when the member was gone.
 *
 * KEYS: the set, then (retry) `queues` and `queue:<name>` or (kill) `dead`.
 * ARGV: action, score, byte size, SHA-1, then (retry) queue name and edit triples (start, end, text) or (kill) now,
 * trim-before score and the dead set's cap.
 */
const ACT_LUA = `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])
local size = tonumber(ARGV[3])
local found = nil
for _, m in ipairs(members) do
  if #m == size and redis.sha1hex(m) == ARGV[4] then
    found = m
    break
  end
end
if not found then return 0 end
redis.call('ZREM', KEYS[1], found)
if ARGV[1] == 'retry' then
  local out = found
  local k = 6
  while ARGV[k] do
    out = string.sub(out, 1, tonumber(ARGV[k])) .. ARGV[k + 2] .. string.sub(out, tonumber(ARGV[k + 1]) + 1)
    k = k + 3
  end
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('LPUSH', KEYS[3], out)
elseif ARGV[1] == 'kill' then
  redis.call('ZADD', KEYS[2], ARGV[5], found)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[7]))
end
return 1`;

/** Jobs per batch handed to a consumer (pages from Redis are larger). */
const HANDOUT = 200;

/**
 * The one-round-trip form, for Register's jobs as Sidekiq writes them: find the member by score and jid (a member is
 * never rewritten in place: a job that failed again, moved or was rescheduled has another score) whose error message
 * starts as the plan saw it, and act. For a retry the script finds the top-level `retry_count` and `enqueued_at` itself
 * (their last occurrences, checked to be at the top level by walking what follows to the closing brace) and edits
 * only those bytes. Returns 1 done, 0 not there, -1 when it cannot edit this payload safely (the caller then uses
 * ACT_LUA, after reading the member).
 *
 * KEYS: the set, then (retry) `queues` and `queue:<name>` or (kill) `dead`.
 * ARGV: action, score, jid, error-message prefix (JSON-escaped as stored, may be empty), then (retry) queue name,
 * the new enqueued_at in seconds and in milliseconds, or (kill) now, trim-before score, the dead set's cap.
 */
const ACT_BY_JID_LUA = `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2])
local needle = '"jid":"' .. ARGV[3] .. '"'
local found = nil
for _, m in ipairs(members) do
  if string.find(m, needle, 1, true) and (ARGV[4] == '' or string.find(m, '"error_message":"' .. ARGV[4], 1, true)) then
    found = m
    break
  end
end
if not found then return 0 end
local function top_level_after(s, i)
  local depth = 0
  while true do
    local j, _, c = string.find(s, '([%[%]{}"])', i)
    if not j then return false end
    if c == '"' then
      local k = j + 1
      while true do
        local q = string.find(s, '"', k, true)
        if not q then return false end
        local b = q - 1
        local n = 0
        while b > 0 and string.byte(s, b) == 92 do n = n + 1; b = b - 1 end
        if n % 2 == 0 then i = q + 1; break end
        k = q + 1
      end
    elseif c == '{' or c == '[' then
      depth = depth + 1
      i = j + 1
    else
      if depth == 0 then return c == '}' and j == #s end
      depth = depth - 1
      i = j + 1
    end
  end
end
-- Whether position p (a quote opening a key) is at the top level: walks from the start, strings jumped over.
local function top_level_at(s, p)
  local depth = 0
  local i = 1
  while true do
    local j, _, c = string.find(s, '([%[%]{}"])', i)
    if not j or j > p then return false end
    if j == p then return c == '"' and depth == 1 end
    if c == '"' then
      local k = j + 1
      while true do
        local q = string.find(s, '"', k, true)
        if not q then return false end
        local b = q - 1
        local n = 0
        while b > 0 and string.byte(s, b) == 92 do n = n + 1; b = b - 1 end
        if n % 2 == 0 then i = q + 1; break end
        k = q + 1
      end
      if i > p + 1 then return false end
    elseif c == '{' or c == '[' then
      depth = depth + 1
      i = j + 1
    else
      depth = depth - 1
      i = j + 1
    end
  end
end
-- The last occurrence of a key with a number value, checked to be at the top level: from the end when what follows
-- is short (retry_count, written last), else from the start (enqueued_at, written before the long error message).
local function last_value(s, key, from_end)
  local at = nil
  local from = 1
  while true do
    local p = string.find(s, key, from, true)
    if not p then break end
    at = p
    from = p + 1
  end
  if not at then return nil end
  local vs = at + #key
  local ve = string.find(s, '[,}]', vs)
  if not ve then return nil end
  local text = string.sub(s, vs, ve - 1)
  if not string.match(text, '^%-?%d+%.?%d*$') then return nil end
  if from_end then
    if not top_level_after(s, ve) then return nil end
  elseif not top_level_at(s, at) then
    return nil
  end
  return vs, ve - 1, text
end
if ARGV[1] == 'retry' then
  local es, ee, etext = last_value(found, '"enqueued_at":', false)
  if not es then return -1 end
  local rs, re, rtext = last_value(found, '"retry_count":', true)
  if not rs and string.find(found, '"retry_count":', 1, true) then return -1 end
  local out = found
  local newEnqueued = ARGV[6]
  if tonumber(etext) > 1e11 then newEnqueued = ARGV[7] end
  if rs and not string.find(rtext, '.', 1, true) then
    local newCount = tostring(tonumber(rtext) - 1)
    if rs > es then
      out = string.sub(out, 1, rs - 1) .. newCount .. string.sub(out, re + 1)
      out = string.sub(out, 1, es - 1) .. newEnqueued .. string.sub(out, ee + 1)
    else
      out = string.sub(out, 1, es - 1) .. newEnqueued .. string.sub(out, ee + 1)
      out = string.sub(out, 1, rs - 1) .. newCount .. string.sub(out, re + 1)
    end
  else
    out = string.sub(out, 1, es - 1) .. newEnqueued .. string.sub(out, ee + 1)
  end
  redis.call('ZREM', KEYS[1], found)
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('LPUSH', KEYS[3], out)
  return 1
end
redis.call('ZREM', KEYS[1], found)
if ARGV[1] == 'kill' then
  redis.call('ZADD', KEYS[2], ARGV[5], found)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[6])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[7]))
end
return 1`;

type ScriptedRedis = Redis & {
  sidekiqAct(...args: string[]): Promise<number>;
  sidekiqActByJid(...args: string[]): Promise<number>;
};

export class SidekiqJobStore implements JobStore {
  readonly #redis: ScriptedRedis;
  readonly #settings: Required<Omit<SidekiqStoreSettings, 'chosenBy'>> & { chosenBy: StoreInfo['chosenBy'] };

  constructor(redis: Redis, settings: SidekiqStoreSettings) {
    this.#redis = redis as ScriptedRedis;
    if (!('sidekiqAct' in redis)) {
      redis.defineCommand('sidekiqAct', { lua: ACT_LUA });
      redis.defineCommand('sidekiqActByJid', { lua: ACT_BY_JID_LUA });
    }
    this.#settings = {
      url: settings.url,
      chosenBy: settings.chosenBy ?? 'QUEUE_BACKEND',
      deadSet: settings.deadSet ?? DEAD_SET_DEFAULTS,
      ownsConnection: settings.ownsConnection ?? true,
      quietPeriodMs: settings.quietPeriodMs ?? 6_000,
    };
  }

  async info(): Promise<StoreInfo> {
    return {
      backend: 'sidekiq',
      where: describeUrl(this.#settings.url),
      chosenBy: this.#settings.chosenBy,
      states: SIDEKIQ_STATES,
      deadState: 'dead',
      failingStates: ['dead', 'retry'],
      defaultQueues: null,
    };
  }

  async connection(): Promise<Redis> {
    return this.#redis;
  }

  async ensureReachable(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ping = this.#redis.ping().then(() => true, () => false);
    const ok = await Promise.race([ping, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).finally(() => clearTimeout(timer));
    if (!ok) throw new Error(`Cannot reach Redis at ${describeUrl(this.#settings.url)} within ${timeoutMs / 1000} s: check REDIS_URL.`);
  }

  async summary(): Promise<StoreSummary> {
    const r = this.#redis;
    const queues = (await r.smembers(SIDEKIQ_KEYS.queues)).sort();
    const pipeline = r.pipeline().zcard(SIDEKIQ_KEYS.schedule).zcard(SIDEKIQ_KEYS.retry).zcard(SIDEKIQ_KEYS.dead);
    for (const q of queues) pipeline.llen(SIDEKIQ_KEYS.queue(q));
    const results = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v ?? 0));
    const processes = await readSidekiqProcesses(r);
    return {
      info: await this.info(),
      counts: {
        enqueued: results.slice(3).reduce((a, b) => a + b, 0),
        scheduled: results[0] ?? 0,
        busy: processes.filter((p) => p.alive).reduce((a, p) => a + p.busy, 0),
        retry: results[1] ?? 0,
        dead: results[2] ?? 0,
      },
      queues,
      processes,
    };
  }

  async *scan(options: ScanOptions): AsyncGenerator<JobEntry[]> {
    const wanted = options.queues?.length ? new Set(options.queues) : null;
    const keep = (e: JobEntry) => wanted === null || wanted.has(e.queue);
    const states = options.states.filter((s): s is SidekiqState => (SIDEKIQ_STATES as readonly string[]).includes(s));
    const unknown = options.states.filter((s) => !(SIDEKIQ_STATES as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`Sidekiq has no state ${unknown.map((s) => `"${s}"`).join(', ')}: its states are ${SIDEKIQ_STATES.join(', ')}.`);
    const pageSize = options.batchSize ?? 1000;
    for (const state of states) {
      if (state === 'enqueued') {
        const queues = wanted ? [...wanted] : (await this.#redis.smembers(SIDEKIQ_KEYS.queues)).sort();
        for (const queue of queues) {
          for await (const page of scanQueueList(this.#redis, queue, { pageSize })) {
            yield page.map((raw) => readSidekiqEntry(raw, 'enqueued', null, { queue }).entry);
          }
        }
      } else if (state === 'busy') {
        const busy = await this.#busyEntries();
        if (busy.some(keep)) yield busy.filter(keep);
      } else {
        const key = state === 'scheduled' ? SIDEKIQ_KEYS.schedule : state;
        const cleanup = state === 'dead' ? new DeadDuplicatesCleanup() : null;
        for await (const page of scanSortedSetNewestFirst(this.#redis, key, { pageSize, onProgress: options.onProgress })) {
          // Handed out in small batches: what a consumer keeps per job (its error message, often a kilobyte of
          // response headers) then lives briefly, and the garbage collector has little to copy.
          let batch: JobEntry[] = [];
          const flat = page.flat;
          for (let i = 0; i < flat.length; i += 2) {
            const raw = flat[i]!;
            // Let the member go as soon as it is read: a page of Register's jobs is megabytes, and what is still
            // referenced when the garbage collector runs is what it must copy.
            flat[i] = '';
            const entry = readSidekiqJob(raw, state, flat[i + 1]!, undefined, null, cleanup);
            if (keep(entry)) batch.push(entry);
            if (batch.length === HANDOUT) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length) yield batch;
        }
        if (cleanup?.halted) {
          options.onNote?.(
            `Register's Sidekiq::RemoveDeadDuplicatesJob raises on a dead job it cannot read (${cleanup.halted}) and stops there, so the older duplicates behind it are not deleted and none is marked past it. Delete that job to let the clean-up run.`,
          );
        }
      }
    }
  }

  /** The jobs running now, from each process's work hash (`<identity>:work`, 6.4's `<identity>:workers`). */
  async #busyEntries(): Promise<JobEntry[]> {
    const processes = await readSidekiqProcesses(this.#redis);
    const out: JobEntry[] = [];
    for (const p of processes) {
      for (const key of SIDEKIQ_KEYS.work(p.identity)) {
        const work = await this.#redis.hgetall(key);
        for (const value of Object.values(work)) {
          let w: { queue?: unknown; payload?: unknown; run_at?: unknown } = {};
          try {
            w = JSON.parse(value) as typeof w;
          } catch {
            continue;
          }
          const payload = typeof w.payload === 'string' ? w.payload : JSON.stringify(w.payload ?? null);
          const runAt = typeof w.run_at === 'number' ? (w.run_at > 1e11 ? w.run_at : w.run_at * 1000) : null;
          out.push(readSidekiqEntry(payload, 'busy', null, { queue: typeof w.queue === 'string' ? w.queue : undefined, runAt }).entry);
        }
      }
    }
    return out;
  }

  async check(jobs: readonly JobToActOn[]): Promise<LocationCheck[]> {
    const found = await this.#locate(jobs);
    return found.map((f) => (f.member !== null ? { status: 'same', detail: '' } : f.check));
  }

  /** The exact member for each job (one pipelined ZRANGEBYSCORE), or why there is none. */
  async #locate(jobs: readonly JobToActOn[]): Promise<{ member: string | null; check: LocationCheck }[]> {
    const locations = jobs.map((j) => sidekiqLocation(j.location));
    const pipeline = this.#redis.pipeline();
    for (const l of locations) pipeline.zrangebyscore(l.set, l.score, l.score);
    const results = (await pipeline.exec()) ?? [];
    const out = locations.map((l, i) => {
      const members = (results[i]?.[1] as string[] | undefined) ?? [];
      const needle = l.jid ? `"jid":"${l.jid}"` : null;
      const candidates = members.filter((m) => (needle ? m.includes(needle) : !isJsonObject(m)));
      const exact = candidates.find((m) => m.length === l.size);
      if (exact !== undefined) return { member: exact, check: { status: 'same' as const, detail: '' } };
      if (candidates.length) return { member: null, check: { status: 'changed' as const, detail: `${describe(l)} was rewritten since the plan saw it` } };
      return { member: null, check: { status: 'vanished' as const, detail: '' } };
    });
    // Tell "gone" from "failed again / moved" for the ones not found: one pass over each set they were in.
    const missing = out.map((o, i) => (o.member === null && o.check.status === 'vanished' ? i : -1)).filter((i) => i >= 0);
    if (missing.length) {
      const bySet = new Map<string, Set<string>>();
      for (const i of missing) if (locations[i]!.jid) (bySet.get(locations[i]!.set) ?? bySet.set(locations[i]!.set, new Set()).get(locations[i]!.set)!).add(locations[i]!.jid);
      const elsewhere = new Map<string, string>();
      for (const [set, jids] of bySet) for (const [jid, score] of await this.#findJids(set, jids)) elsewhere.set(`${set}\u0000${jid}`, score);
      for (const i of missing) {
        const l = locations[i]!;
        const score = elsewhere.get(`${l.set}\u0000${l.jid}`);
        out[i]!.check =
          score !== undefined
            ? { status: 'changed', detail: `${describe(l)} is in the ${l.set} set again at ${new Date(Number(score) * 1000).toISOString()} (it failed again or was rescheduled since the plan saw it)` }
            : { status: 'vanished', detail: `${describe(l)} is no longer in the ${l.set} set (retried, deleted, run by the poller or removed by Register's clean-up)` };
      }
    }
    return out;
  }

  /** The scores of members with these jids, one ZSCAN pass over the set. */
  async #findJids(set: string, jids: Set<string>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.#redis.zscan(set, cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) {
        const m = /"jid":"([^"]+)"/.exec(flat[i]!);
        if (m && jids.has(m[1]!)) found.set(m[1]!, flat[i + 1]!);
      }
    } while (cursor !== '0' && found.size < jids.size);
    return found;
  }

  async apply(action: JobActionKind, jobs: readonly JobToActOn[]): Promise<ActionOutcome[]> {
    if (!jobs.length) return [];
    const locations = jobs.map((j) => sidekiqLocation(j.location));
    const polled = action === 'retry' ? await this.pollingQueues() : null;
    const outcomes: (ActionOutcome | null)[] = new Array(jobs.length).fill(null);
    // One round trip for the usual job: the script finds it by score and jid and acts.
    const now = new Date();
    const nowSeconds = now.getTime() / 1000;
    const fast: number[] = [];
    const nowText = sidekiqTimeJson(now.getTime(), 'seconds');
    const nowMsText = sidekiqTimeJson(now.getTime(), 'milliseconds');
    const pipeline = this.#redis.pipeline() as unknown as ScriptedRedis & { exec(): Promise<[Error | null, unknown][] | null> };
    for (let i = 0; i < jobs.length; i++) {
      const l = locations[i]!;
      const queue = jobs[i]!.queue;
      if (!l.jid) continue;
      if (action === 'retry') {
        if (queue === undefined) continue;
        if (!polled!.has(queue)) {
          outcomes[i] = { status: 'refused', message: `Not retried: ${describe(l)} is on queue "${queue}", which no running Sidekiq process polls, so it would wait for ever. ${pollingSummary(polled!)}` };
          continue;
        }
        pipeline.sidekiqActByJid('3', l.set, SIDEKIQ_KEYS.queues, SIDEKIQ_KEYS.queue(queue), 'retry', l.score, l.jid, storedPrefix(jobs[i]!.expectedMessage), queue, nowText, nowMsText);
      } else if (action === 'delete') {
        pipeline.sidekiqActByJid('1', l.set, 'delete', l.score, l.jid, storedPrefix(jobs[i]!.expectedMessage));
      } else {
        if (l.set === 'dead') {
          outcomes[i] = { status: 'refused', message: `Not killed: ${describe(l)} is already dead.` };
          continue;
        }
        pipeline.sidekiqActByJid('2', l.set, SIDEKIQ_KEYS.dead, 'kill', l.score, l.jid, storedPrefix(jobs[i]!.expectedMessage), nowSeconds.toFixed(6), (nowSeconds - this.#settings.deadSet.timeoutSeconds).toFixed(6), String(this.#settings.deadSet.maxJobs));
      }
      fast.push(i);
    }
    const results = fast.length ? ((await pipeline.exec()) ?? []) : [];
    const missing: number[] = [];
    fast.forEach((i, k) => {
      const [error, value] = results[k] ?? [new Error('no reply'), null];
      if (error) outcomes[i] = { status: 'refused', message: `Not ${pastTense(action)}: ${describe(locations[i]!)}: ${error.message}` };
      else if (Number(value) === 1) outcomes[i] = { status: 'done', message: doneMessage(action, locations[i]!), jobId: locations[i]!.jid };
      else if (Number(value) === 0) missing.push(i);
    });
    // Not there: say whether it vanished or failed again (one pass over the set for all of them).
    if (missing.length) {
      const checks = await this.#explainMissing(missing.map((i) => locations[i]!));
      missing.forEach((i, k) => (outcomes[i] = { status: checks[k]!.status === 'changed' ? 'changed' : 'vanished', message: `Not ${pastTense(action)}: ${checks[k]!.detail}` }));
    }
    // The rest (no jid, no queue, a payload the script would not edit): read each member and act on its exact bytes.
    const rest = outcomes.map((o, i) => (o === null ? i : -1)).filter((i) => i >= 0);
    if (rest.length) {
      const done = await this.#applyByMember(action, rest.map((i) => jobs[i]!), polled);
      rest.forEach((i, k) => (outcomes[i] = done[k]!));
    }
    return outcomes as ActionOutcome[];
  }

  /** Why each of these jobs is no longer at its location: failed again (same jid, another score) or gone. */
  async #explainMissing(locations: SidekiqLocation[]): Promise<LocationCheck[]> {
    const bySet = new Map<string, Set<string>>();
    for (const l of locations) (bySet.get(l.set) ?? bySet.set(l.set, new Set()).get(l.set)!).add(l.jid);
    const elsewhere = new Map<string, string>();
    for (const [set, jids] of bySet) for (const [jid, score] of await this.#findJids(set, jids)) elsewhere.set(`${set}\u0000${jid}`, score);
    return locations.map((l) => {
      const score = elsewhere.get(`${l.set}\u0000${l.jid}`);
      return score !== undefined && score !== l.score
        ? { status: 'changed', detail: `${describe(l)} is in the ${l.set} set again at ${new Date(Number(score) * 1000).toISOString()} (it failed again or was rescheduled since the plan saw it)` }
        : score !== undefined
          ? { status: 'changed', detail: `${describe(l)} was rewritten since the plan saw it (its error is not the one the plan saw)` }
          : { status: 'vanished', detail: `${describe(l)} is no longer in the ${l.set} set (retried, deleted, run by the poller or removed by Register's clean-up)` };
    });
  }

  /** The careful form: read each member (one pipelined read), then act on its exact bytes (size and SHA-1). */
  async #applyByMember(action: JobActionKind, jobs: readonly JobToActOn[], polledAlready: Map<string, string[]> | null): Promise<ActionOutcome[]> {
    const [found, polled] = await Promise.all([this.#locate(jobs), action === 'retry' && !polledAlready ? this.pollingQueues() : Promise.resolve(polledAlready)]);
    const outcomes: (ActionOutcome | null)[] = found.map((f, i) =>
      f.member === null ? { status: f.check.status === 'same' ? 'vanished' : f.check.status, message: `Not ${pastTense(action)}: ${f.check.detail || describe(sidekiqLocation(jobs[i]!.location))}` } : null,
    );
    const locations = jobs.map((j) => sidekiqLocation(j.location));
    const now = new Date();
    const nowSeconds = now.getTime() / 1000;
    const pipeline = this.#redis.pipeline() as unknown as ScriptedRedis & { exec(): Promise<[Error | null, unknown][] | null> };
    const sent: number[] = [];
    for (let i = 0; i < jobs.length; i++) {
      if (outcomes[i]) continue;
      const l = locations[i]!;
      const member = found[i]!.member!;
      // The script finds the member again by bytes: its size in bytes and SHA-1, as Lua sees them.
      const bytes = Buffer.byteLength(member);
      const exact = [l.score, String(bytes), createHash('sha1').update(member).digest('hex')];
      if (action === 'delete') {
        pipeline.sidekiqAct('1', l.set, 'delete', ...exact);
      } else if (action === 'retry') {
        const edit = retryEdits(member, now);
        if (!edit) {
          outcomes[i] = { status: 'refused', message: `Not retried: ${describe(l)} is not a Sidekiq job Sidekiq could run (no queue in its JSON); delete it instead.` };
          continue;
        }
        if (!polled!.has(edit.queue)) {
          outcomes[i] = { status: 'refused', message: `Not retried: ${describe(l)} is on queue "${edit.queue}", which no running Sidekiq process polls, so it would wait for ever. ${pollingSummary(polled!)}` };
          continue;
        }
        // Edits as byte offsets (Lua counts bytes; the JSON may hold UTF-8 beyond ASCII: then offsets are counted).
        const ascii = bytes === member.length;
        const at = (i: number) => String(ascii ? i : Buffer.byteLength(member.slice(0, i)));
        const edits = edit.edits.flatMap((e) => [at(e.start), at(e.end), e.text]);
        pipeline.sidekiqAct('3', l.set, SIDEKIQ_KEYS.queues, SIDEKIQ_KEYS.queue(edit.queue), 'retry', ...exact, edit.queue, ...edits);
      } else {
        if (l.set === 'dead') {
          outcomes[i] = { status: 'refused', message: `Not killed: ${describe(l)} is already dead.` };
          continue;
        }
        pipeline.sidekiqAct('2', l.set, SIDEKIQ_KEYS.dead, 'kill', ...exact, nowSeconds.toFixed(6), (nowSeconds - this.#settings.deadSet.timeoutSeconds).toFixed(6), String(this.#settings.deadSet.maxJobs));
      }
      sent.push(i);
    }
    const results = sent.length ? ((await pipeline.exec()) ?? []) : [];
    sent.forEach((i, k) => {
      const [error, value] = results[k] ?? [new Error('no reply'), null];
      const l = locations[i]!;
      if (error) outcomes[i] = { status: 'refused', message: `Not ${pastTense(action)}: ${describe(l)}: ${error.message}` };
      else if (Number(value) === 1) outcomes[i] = { status: 'done', message: doneMessage(action, l), jobId: l.jid };
      else outcomes[i] = { status: 'vanished', message: `Not ${pastTense(action)}: ${describe(l)} left the ${l.set} set just before (another actor took it); nothing was pushed.` };
    });
    return outcomes as ActionOutcome[];
  }

  async enqueue(request: EnqueueRequest): Promise<ActionOutcome> {
    const polled = await this.pollingQueues();
    if (!polled.has(request.queue)) {
      return { status: 'refused', message: `Not enqueued: no running Sidekiq process polls queue "${request.queue}", so ${request.jobClass} would wait there for ever. ${pollingSummary(polled)}` };
    }
    const retry = request.retry ?? REGISTER_JOB_CLASSES[request.jobClass]?.retry ?? true;
    const { json, jid } = activeJobPayload({ ...request, retry });
    await this.#redis.multi().sadd(SIDEKIQ_KEYS.queues, request.queue).lpush(SIDEKIQ_KEYS.queue(request.queue), json).exec();
    return { status: 'done', message: `Enqueued ${request.jobClass} (jid ${jid}) on queue ${request.queue}.`, jobId: jid };
  }

  /**
   * The queues running processes poll, read again at most once a second (Sidekiq's heartbeat is every 5 s, so a
   * newer read would tell nothing more); a commit asks before and while it acts.
   */
  async pollingQueues(): Promise<Map<string, string[]>> {
    const now = Date.now();
    if (this.#polled && now - this.#polled.at < 1_000) return this.#polled.queues;
    const queues = queuesPolled(await readSidekiqProcesses(this.#redis, now));
    this.#polled = { at: now, queues };
    return queues;
  }

  #polled: { at: number; queues: Map<string, string[]> } | null = null;

  /**
   * Sidekiq records no success: a job has completed once it has left its queue and been seen neither running nor in
   * the retry or dead set for a whole heartbeat period (a running job shows in its process's work hash within 5 s).
   */
  async waitForOutcome(queue: string, jobId: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const needle = `"jid":"${jobId}"`;
    let absentSince: number | null = null;
    for (;;) {
      const queued = (await this.#redis.lrange(SIDEKIQ_KEYS.queue(queue), 0, -1)).some((m) => m.includes(needle));
      const busy = !queued && (await this.#busyEntries()).some((e) => e.jobId === jobId);
      if (!queued && !busy) {
        for (const set of ['retry', 'dead'] as const) if ((await this.#findJids(set, new Set([jobId]))).size) return 'failed again';
        absentSince ??= Date.now();
        if (Date.now() - absentSince >= this.#settings.quietPeriodMs) return 'completed';
      } else {
        absentSince = null;
      }
      if (Date.now() > deadline) return queued ? `still waiting on queue ${queue} after ${Math.round(timeoutMs / 1000)} s` : `still running after ${Math.round(timeoutMs / 1000)} s`;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async readLedger<T>(limit: number): Promise<T[]> {
    return (await this.#redis.lrange(SIDEKIQ_KEYS.ledger, 0, limit - 1)).map((e) => JSON.parse(e) as T);
  }

  async findInLedger<T>(planId: string): Promise<T | null> {
    return findInLedger<T>(this.#redis, SIDEKIQ_KEYS.ledger, planId);
  }

  async appendLedger(entry: { planId: string }): Promise<void> {
    await appendLedger(this.#redis, SIDEKIQ_KEYS.ledger, entry);
  }

  async close(): Promise<void> {
    if (!this.#settings.ownsConnection) return;
    if (this.#redis.status === 'ready') await this.#redis.quit().catch(() => undefined);
    else this.#redis.disconnect();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SidekiqJobStore(${describeUrl(this.#settings.url)})`;
  }
  toJSON(): { backend: string; redis: string } {
    return { backend: 'sidekiq', redis: describeUrl(this.#settings.url) };
  }
}

function sidekiqLocation(location: JobToActOn['location']): SidekiqLocation {
  if (location.backend !== 'sidekiq') throw new Error(`A ${location.backend} job cannot be acted on in Sidekiq: the plan was built on another backend. Build it again.`);
  return location;
}

/**
 * The start of an error message as it stands in the stored JSON (the script checks the member still has it): up to 48
 * characters, stopping before any that JSON escapes or whose escaping Ruby and JavaScript might write differently.
 */
function storedPrefix(message: string | null): string {
  if (!message) return '';
  let end = 0;
  while (end < message.length && end < 48) {
    const c = message.charCodeAt(end);
    if (c < 32 || c === 34 || c === 92 || c > 126) break;
    end++;
  }
  return message.slice(0, end);
}

function isJsonObject(s: string): boolean {
  try {
    const v = JSON.parse(s) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

const describe = (l: SidekiqLocation) => (l.jid ? `job ${l.jid}` : `the unreadable member at ${l.score}`);
const pastTense = (a: JobActionKind) => (a === 'retry' ? 'retried' : a === 'delete' ? 'deleted' : 'killed');

function doneMessage(action: JobActionKind, l: SidekiqLocation): string {
  if (action === 'retry') return `Retried ${describe(l)}: removed from the ${l.set} set and pushed onto its queue in one step.`;
  if (action === 'delete') return `Deleted ${describe(l)} from the ${l.set} set.`;
  return `Killed ${describe(l)}: moved from the ${l.set} set to the dead set.`;
}

function pollingSummary(polled: Map<string, string[]>): string {
  if (!polled.size) return 'No Sidekiq process is running on this Redis.';
  return `Running Sidekiq processes poll: ${[...polled.keys()].join(', ')}.`;
}
