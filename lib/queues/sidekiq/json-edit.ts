import { sidekiqTimeJson, timeUnitOf } from './time.js';

/**
 * Edits top-level values of a JSON object in its text, leaving every other byte as it was: Ruby and JavaScript print
 * floats, escapes and key order differently, so a job Sidekiq wrote must never be re-serialized. Returns null for text
 * that is not one JSON object.
 *
 * @example
 * editTopLevel('{"a":1.0,"b":[1]}', { a: '2', c: 'true' }) // '{"a":2,"b":[1],"c":true}'
 */
export function editTopLevel(json: string, values: Record<string, string>): string | null {
  const members = topLevelMembers(json);
  return members ? applyTextEdits(json, editsFor(json, members, values)) : null;
}

/** Replacements for existing members, and an insertion before the closing brace for new ones; last first. */
function editsFor(json: string, members: { spans: Map<string, { start: number; end: number }> }, values: Record<string, string>): TextEdit[] {
  const edits: TextEdit[] = [];
  const added = Object.entries(values).filter(([k]) => !members.spans.has(k));
  if (added.length) {
    const close = json.lastIndexOf('}');
    edits.push({ start: close, end: close, text: `${members.spans.size ? ',' : ''}${added.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}` });
  }
  for (const [k, v] of Object.entries(values)) {
    const span = members.spans.get(k);
    if (span) edits.push({ start: span.start, end: span.end, text: v });
  }
  return edits.sort((a, b) => b.start - a.start);
}

/** A replacement of the text between two offsets (`start` inclusive, `end` exclusive). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * What Sidekiq's own retry pushes, from the member as stored: `retry_count` one less (when present, so the next
 * failure brings it back: one more attempt), `enqueued_at` now (float seconds, or milliseconds for a Sidekiq 8
 * payload); every other byte unchanged. Returns the job's queue and the edits, last first (so each applies to the
 * original offsets). Null when the member is not a JSON object with a queue. Reads only the values it needs (no full
 * parse: a retry of thousands of jobs stays cheap).
 */
export function retryEdits(raw: string, now: Date = new Date()): { queue: string; edits: TextEdit[] } | null {
  const members = topLevelMembers(raw);
  if (!members) return null;
  const read = (key: string): unknown => {
    const span = members.spans.get(key);
    if (!span) return undefined;
    try {
      return JSON.parse(raw.slice(span.start, span.end)) as unknown;
    } catch {
      return undefined;
    }
  };
  const queue = read('queue');
  if (typeof queue !== 'string' || !queue) return null;
  const unit = timeUnitOf({ enqueued_at: read('enqueued_at'), created_at: read('created_at'), failed_at: read('failed_at') });
  const values: Record<string, string> = { enqueued_at: sidekiqTimeJson(now.getTime(), unit) };
  const count = read('retry_count');
  if (typeof count === 'number' && Number.isInteger(count)) values.retry_count = String(count - 1);
  return { queue, edits: editsFor(raw, members, values) };
}

/**
 * The payload Sidekiq's retry pushes (see `retryEdits`), as text.
 *
 * @example
 * retryPayload('{"queue":"dqt","retry_count":0,"enqueued_at":1722507330.4993}', now) // { queue: 'dqt', payload: '{"queue":"dqt","retry_count":-1,"enqueued_at":1796301068.667900}' }
 */
export function retryPayload(raw: string, now: Date = new Date()): { queue: string; payload: string } | null {
  const r = retryEdits(raw, now);
  return r ? { queue: r.queue, payload: applyTextEdits(raw, r.edits) } : null;
}

/** Applies edits given last first. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The byte spans of the values of a JSON object's top-level members (first occurrence of each key). */
function topLevelMembers(json: string): { spans: Map<string, { start: number; end: number }> } | null {
  const spans = new Map<string, { start: number; end: number }>();
  let i = skipSpace(json, 0);
  if (json[i] !== '{') return null;
  i = skipSpace(json, i + 1);
  if (json[i] === '}') return skipSpace(json, i + 1) === json.length ? { spans } : null;
  for (;;) {
    if (json[i] !== '"') return null;
    const keyEnd = skipString(json, i);
    if (keyEnd < 0) return null;
    let key: string;
    try {
      key = JSON.parse(json.slice(i, keyEnd)) as string;
    } catch {
      return null;
    }
    i = skipSpace(json, keyEnd);
    if (json[i] !== ':') return null;
    const start = skipSpace(json, i + 1);
    const end = skipValue(json, start);
    if (end < 0) return null;
    if (!spans.has(key)) spans.set(key, { start, end });
    i = skipSpace(json, end);
    if (json[i] === ',') {
      i = skipSpace(json, i + 1);
      continue;
    }
    if (json[i] === '}') return skipSpace(json, i + 1) === json.length ? { spans } : null;
    return null;
  }
}

function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** The index after the string starting at i (a quote), or -1: jumps from quote to quote. */
function skipString(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let b = q - 1; s.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index after the value starting at i, or -1. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 34) {
        j = skipString(s, j) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
  }
  return j > i ? j : -1;
}
