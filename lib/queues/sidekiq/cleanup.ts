import { deepDig } from '../globalid.js';
import { RAILS_ACTIVEJOB_WRAPPER } from './keys.js';
import { SeenIds } from './seen-ids.js';

/**
 * Register's own clean-up of the dead set, `Sidekiq::RemoveDeadDuplicatesJob` (cron every 5 minutes, production
 * only), replayed so a list you work from does not silently shrink under you. It walks the dead set newest first and
 * deletes every job whose key it has already seen, so the most recent death per key is kept. The key is, joined with
 * nothing between: the error message up to its first comma, the job's display class (`wrapped`), and the last path
 * part of the first GlobalID in the job's first argument (a trainee id, or a TRN request's id for RetrieveTrnJob).
 * Jobs without an error message or such a GlobalID are left alone.
 *
 * Ruby's edges are kept: a dead job whose `args` cannot be dug into (not JSON, a plain job whose first argument is a
 * string) raises in the real job, which then stops; every older job stays until the next run, and `halted` says why.
 *
 * @example
 * const cleanup = new DeadDuplicatesCleanup();
 * for (const { raw, item } of deadSetNewestFirst) if (cleanup.visit(raw, item)) markRemoved(raw);
 */
export class DeadDuplicatesCleanup {
  /** Keys of the jobs seen, in the general form (error + class, then the id). */
  readonly #seen = new Set<string>();
  /** `error + class` → a small number: keys stay short however many jobs (memory flat on huge dead sets). */
  readonly #prefixes = new Map<string, number>();
  /** The usual case without any string built per job: (error part, class) number → the numeric ids seen. */
  readonly #numeric = new Map<number, SeenIds>();
  readonly #errorParts: string[] = [];
  readonly #errorIds = new Map<string, number>();
  readonly #classIds = new Map<string, number>();
  #halted: string | null = null;
  #deletes = 0;

  /** Why the real job would stop (raise) before the end of the dead set, or null. */
  get halted(): string | null {
    return this.#halted;
  }

  /** How many jobs it deletes so far. */
  get deletes(): number {
    return this.#deletes;
  }

  /** The next dead job, newest first: true when Register's clean-up deletes it. */
  visit(raw: string, item: Record<string, unknown> | null, parseFailed = item === null): boolean {
    if (this.#halted) return false;
    const fast = parseFailed ? null : this.#fastKey(item);
    if (fast !== null) {
      if (fast === 'skip') return false;
      let ids = this.#numeric.get(fast.prefix);
      if (ids === undefined) this.#numeric.set(fast.prefix, (ids = new SeenIds()));
      return this.#seenBefore(ids.add(fast.id));
    }
    const parts = cleanupKeyParts(raw, item, parseFailed);
    if (parts !== null && 'halt' in parts) {
      this.#halted = parts.halt;
      return false;
    }
    if (parts === null) return false;
    // Ruby compares error + class + id as one string. Comparing (error + class) and the id (the GlobalID's last part,
    // digits) separately gives the same answer, unless a class name ended in digits (none of Register's does), and
    // keeps a short key per job.
    const numericId = /^(0|[1-9]\d{0,8})$/.test(parts.id) ? Number(parts.id) : null;
    if (numericId !== null) {
      return this.#seenBefore(this.#idsFor(this.#errorId(parts.error), parts.cls).add(numericId));
    }
    const prefix = parts.error + parts.cls;
    let n = this.#prefixes.get(prefix);
    if (n === undefined) {
      n = this.#prefixes.size;
      this.#prefixes.set(prefix, n);
    }
    const key = `${n}|${parts.id}`;
    const seen = this.#seen;
    const before = seen.size;
    seen.add(key);
    return this.#seenBefore(seen.size === before);
  }

  #seenBefore(duplicate: boolean): boolean {
    if (duplicate) this.#deletes++;
    return duplicate;
  }

  /**
   * The usual Register dead job, read without building a string: an error message, the ActiveJob wrapper with its
   * `wrapped` class (not a mailer), and `args[0].arguments[0]` a hash whose `_aj_globalid` ends in a number. Null for
   * anything else (the general path then decides); 'skip' when the real job skips it (no error message).
   */
  #fastKey(item: Record<string, unknown> | null): { prefix: number; id: number } | 'skip' | null {
    if (item === null) return null;
    const message = item.error_message;
    if (message === undefined || message === null) return null;
    if (typeof message !== 'string' || item.class !== RAILS_ACTIVEJOB_WRAPPER || item.display_class !== undefined) return null;
    const cls = item.wrapped;
    if (typeof cls !== 'string' || cls === 'ActionMailer::DeliveryJob' || cls === 'ActionMailer::MailDeliveryJob') return null;
    const args = item.args;
    if (!Array.isArray(args)) return null;
    const aj = args[0];
    if (aj === null || typeof aj !== 'object' || Array.isArray(aj)) return null;
    const list = (aj as Record<string, unknown>).arguments;
    if (!Array.isArray(list)) return null;
    const first = list[0];
    if (first === null || typeof first !== 'object' || Array.isArray(first)) return null;
    const gid = (first as Record<string, unknown>)._aj_globalid;
    if (typeof gid !== 'string') return null;
    const slash = gid.lastIndexOf('/');
    const digits = gid.length - slash - 1;
    if (slash < 0 || digits < 1 || digits > 9) return null;
    let id = 0;
    for (let i = slash + 1; i < gid.length; i++) {
      const c = gid.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      id = id * 10 + (c - 48);
    }
    // A leading zero would make "007" and "7" one id: leave it to the general path.
    if (digits > 1 && gid.charCodeAt(slash + 1) === 48) return null;
    const error = this.#errorIdOf(message);
    if (error === null) return null;
    return { prefix: this.#prefixId(error, cls), id };
  }

  /** The id of the message's part before its first comma, found among the parts seen without slicing when it can. */
  #errorIdOf(message: string): number | null {
    const parts = this.#errorParts;
    for (let i = parts.length - 1, n = 0; i >= 0 && n < 16; i--, n++) {
      const p = parts[i]!;
      if (p !== '' && message.startsWith(p) && (message.length === p.length || message.charCodeAt(p.length) === 44)) return i;
    }
    const comma = message.indexOf(',');
    if (comma === 0 || message === '') return null; // "" or only commas: the general path has Ruby's rules
    return this.#errorId(comma < 0 ? message : message.slice(0, comma));
  }

  #errorId(error: string): number {
    let id = this.#errorIds.get(error);
    if (id === undefined) {
      id = this.#errorParts.length;
      this.#errorParts.push(error);
      this.#errorIds.set(error, id);
    }
    return id;
  }

  #prefixId(errorId: number, cls: string): number {
    let classId = this.#classIds.get(cls);
    if (classId === undefined) this.#classIds.set(cls, (classId = this.#classIds.size));
    return errorId * 1_048_576 + classId;
  }

  #idsFor(errorId: number, cls: string): SeenIds {
    const prefix = this.#prefixId(errorId, cls);
    let ids = this.#numeric.get(prefix);
    if (ids === undefined) this.#numeric.set(prefix, (ids = new SeenIds()));
    return ids;
  }
}

/**
 * The clean-up's key for one dead job (Ruby's `[error, display_class, trainee_id].join`), null when it skips the job,
 * or `{ halt }` when the real job would raise on it. `item` is the parsed payload (null when the member is not JSON).
 */
export function cleanupKey(raw: string, item: unknown, parseFailed: boolean): string | null | { halt: string } {
  const parts = cleanupKeyParts(raw, item, parseFailed);
  return parts === null || 'halt' in parts ? parts : keyOf(parts.error, parts.cls, parts.id);
}

function cleanupKeyParts(raw: string, item: unknown, parseFailed: boolean): { error: string; cls: string; id: string } | null | { halt: string } {
  if (!parseFailed && (item === null || typeof item !== 'object' || Array.isArray(item))) return { halt: `a dead member is JSON but not a hash (${raw.slice(0, 60)})` };
  const job = parseFailed ? {} : (item as Record<string, unknown>);
  // error = job.item["error_message"]&.split(",")&.first
  const message = job.error_message;
  let error: string | null = null;
  if (message !== undefined && message !== null) {
    if (typeof message !== 'string') return { halt: `error_message is not a string in job ${String(job.jid)}` };
    error = firstPart(message);
  }
  // The common case, straight: args[0].arguments[0] is a record's GlobalID.
  const fast = fastTraineeId(job.args);
  if (fast !== undefined) return error === null || fast === null ? null : { error, cls: displayClass(job), id: fast };
  // arguments = job.args.dig(0, "arguments", 0): a member that is not JSON has args [raw].
  const dug = rubyDig(parseFailed ? [raw] : job.args, [0, 'arguments', 0]);
  if (typeof dug === 'object' && dug !== null && 'halt' in dug) return { halt: `${dug.halt} in ${parseFailed ? 'a member that is not JSON' : `job ${String(job.jid)}`}` };
  // trainee_id = deep_dig(arguments, "_aj_globalid")&.split("/")&.last
  const gid = deepDig((dug as { value: unknown }).value, '_aj_globalid');
  let traineeId: string | null = null;
  if (gid !== undefined && gid !== null) {
    if (typeof gid !== 'string') return { halt: `a GlobalID that is not a string in job ${String(job.jid)}` };
    traineeId = rubySplit(gid, '/').at(-1) ?? null;
  }
  if (error === null || traineeId === null) return null;
  return { error, cls: displayClass(job), id: traineeId };
}

/**
 * Ruby's `[error, display_class, trainee_id].join`. `Array#join` also builds a new flat string, so the key kept for
 * the whole scan holds no reference into the job's payload (a slice or a concatenation would keep it alive).
 */
function keyOf(error: string, cls: string, id: string): string {
  return [error, cls, id].join('');
}

/** `message.split(",").first` in Ruby: the text before the first comma, or nil when there is nothing but commas. */
function firstPart(message: string): string | null {
  const comma = message.indexOf(',');
  if (comma < 0) return message === '' ? null : message;
  if (comma > 0) return message.slice(0, comma);
  // Starts with a comma: "" unless the whole message is commas.
  for (let i = 0; i < message.length; i++) if (message.charCodeAt(i) !== 44) return '';
  return null;
}

/**
 * The last path part of `args[0].arguments[0]._aj_globalid` when the job has the usual shape (a hash whose own
 * GlobalID deep_dig finds first), null when that hash has a non-string-free nil GlobalID; undefined for any other
 * shape (then the full Ruby walk decides).
 */
function fastTraineeId(args: unknown): string | null | undefined {
  if (!Array.isArray(args)) return undefined;
  const aj = args[0];
  if (aj === null || typeof aj !== 'object' || Array.isArray(aj)) return undefined;
  const list = (aj as Record<string, unknown>).arguments;
  if (!Array.isArray(list)) return undefined;
  const first = list[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first) || !Object.prototype.hasOwnProperty.call(first, '_aj_globalid')) return undefined;
  const gid = (first as Record<string, unknown>)._aj_globalid;
  if (gid === null) return null;
  if (typeof gid !== 'string' || gid.endsWith('/') || gid === '') return undefined;
  return gid.slice(gid.lastIndexOf('/') + 1);
}

/** Ruby's `String#split(sep)`: trailing empty parts dropped (`"".split(",")` is `[]`). */
export function rubySplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Ruby's `Array#dig`/`Hash#dig`: nil through nils; raises on a value that cannot be dug into. */
function rubyDig(value: unknown, keys: (string | number)[]): { value: unknown } | { halt: string } {
  if (value === null || value === undefined) return { halt: 'args is nil (NoMethodError)' };
  let current: unknown = value;
  for (const key of keys) {
    if (current === null || current === undefined) return { value: null };
    if (Array.isArray(current)) {
      if (typeof key !== 'number') return { halt: 'an array where a hash was expected (TypeError)' };
      current = current[key];
    } else if (typeof current === 'object') {
      current = typeof key === 'string' && Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : null;
    } else {
      return { halt: `${typeof current === 'string' ? 'a String' : 'a number'} cannot be dug into (TypeError)` };
    }
  }
  return { value: current ?? null };
}

/** Sidekiq 6.5's `JobRecord#display_class` for the jobs Register has. */
function displayClass(job: Record<string, unknown>): string {
  if (typeof job.display_class === 'string') return job.display_class;
  if (job.class === RAILS_ACTIVEJOB_WRAPPER) {
    const args = Array.isArray(job.args) ? job.args : [];
    const jobClass = job.wrapped ?? args[0];
    if ((jobClass === 'ActionMailer::DeliveryJob' || jobClass === 'ActionMailer::MailDeliveryJob') && args[0] && typeof args[0] === 'object') {
      const mailer = (args[0] as Record<string, unknown>).arguments;
      return Array.isArray(mailer) ? mailer.slice(0, 2).map((x) => (x === null ? '' : String(x))).join('#') : '';
    }
    return typeof jobClass === 'string' ? jobClass : JSON.stringify(jobClass ?? '');
  }
  return typeof job.class === 'string' ? job.class : '';
}
