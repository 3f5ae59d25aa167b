import { describeType, formatParameterList, type NotebookParameter } from './parameters.js';

/** A value given with `-p`, converted to the parameter's type. */
export type ParameterValue = string | number | boolean | null | string[] | number[];

/** Bad `-p` values: an unknown name, a value that does not fit. Lists every problem and the notebook's parameters. */
export class ParameterError extends Error {
  override name = 'ParameterError';
  constructor(
    readonly problems: string[],
    readonly parameters: NotebookParameter[],
  ) {
    super(`${problems.join('\n')}\n\nThis notebook's parameters:\n${formatParameterList(parameters)}`);
  }
}

/**
 * Splits `-p name=value` arguments into names and raw values. A name given twice is a problem (which one was meant?).
 *
 * @example
 * splitAssignments(['slug=abc', 'commit=true']) // { values: Map { slug → 'abc', commit → 'true' }, problems: [] }
 */
export function splitAssignments(assignments: string[]): { values: Map<string, string>; problems: string[] } {
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.push(`-p ${assignment}: expected name=value, e.g. -p slug=abc123`);
      continue;
    }
    const name = assignment.slice(0, eq).trim();
    if (values.has(name)) {
      problems.push(`Parameter "${name}" is given twice: give it once (lists take commas: -p ${name}=a,b).`);
      continue;
    }
    values.set(name, assignment.slice(eq + 1));
  }
  return { values, problems };
}

/**
 * Converts one raw value to the parameter's type, or explains why it does not fit.
 *
 * | type | accepts | gives |
 * |---|---|---|
 * | string | anything | the text as given |
 * | number | `12`, `-3.5` | a number |
 * | boolean | `true` / `false` (any case) | a boolean |
 * | date | a real calendar date `YYYY-MM-DD` | the text |
 * | string list | `a,b,c` (empty = no items) | `['a','b','c']` |
 * | number list | `1,2,3` | `[1,2,3]` |
 *
 * A nullable parameter (`string | null`) takes an empty value as null.
 */
export function convertValue(p: NotebookParameter, raw: string): { ok: true; value: ParameterValue } | { ok: false; problem: string } {
  const fail = (why: string) => ({ ok: false as const, problem: `Parameter "${p.name}" expects ${describeType(p)}; got ${JSON.stringify(raw)}${why ? `: ${why}` : ''}.` });
  if (p.nullable && raw.trim() === '') return { ok: true, value: null };
  switch (p.type) {
    case 'string':
      if (p.choices && !p.choices.includes(raw)) return fail('not one of them');
      return { ok: true, value: raw };
    case 'number': {
      const n = Number(raw.trim());
      return raw.trim() !== '' && Number.isFinite(n) ? { ok: true, value: n } : fail('not a number');
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      return v === 'true' ? { ok: true, value: true } : v === 'false' ? { ok: true, value: false } : fail('');
    }
    case 'date': {
      const v = raw.trim();
      if (v === '' && p.defaultValue === '') return { ok: true, value: '' };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return fail('not shaped YYYY-MM-DD');
      if (!isCalendarDate(v)) return fail('no such day');
      return { ok: true, value: v };
    }
    case 'string[]':
      return { ok: true, value: raw.split(',').map((x) => x.trim()).filter(Boolean) };
    case 'number[]': {
      const items = raw.split(',').map((x) => x.trim()).filter(Boolean);
      const bad = items.filter((x) => !Number.isFinite(Number(x)));
      return bad.length ? fail(`${bad.map((b) => JSON.stringify(b)).join(', ')} is not a number`) : { ok: true, value: items.map(Number) };
    }
  }
}

/** True for a real day of the Gregorian calendar, e.g. not 2024-02-30. */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * Checks every `-p name=value` against the notebook's parameters and converts the values.
 * Throws `ParameterError` (every problem at once, plus the list of valid parameters) before anything runs.
 *
 * @example
 * resolveParameters(notebookParameters(nb), ['slug=abc', 'commit=true']) // { slug: 'abc', commit: true }
 */
export function resolveParameters(params: NotebookParameter[], assignments: string[]): Record<string, ParameterValue> {
  const { values, problems } = splitAssignments(assignments);
  const out: Record<string, ParameterValue> = {};
  for (const [name, raw] of values) {
    const p = params.find((x) => x.name === name);
    if (!p) {
      const near = params.filter((x) => x.name.toLowerCase() === name.toLowerCase()).map((x) => x.name);
      problems.push(`Unknown parameter "${name}"${near.length ? ` (did you mean "${near[0]}"?)` : ''}.`);
      continue;
    }
    const converted = convertValue(p, raw);
    if (converted.ok) out[name] = converted.value;
    else problems.push(converted.problem);
  }
  if (problems.length) throw new ParameterError(problems, params);
  return out;
}
