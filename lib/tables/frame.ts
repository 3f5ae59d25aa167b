import type { DataFrame } from 'danfojs-node';

let danfo: typeof import('danfojs-node') | undefined;
/** danfojs-node, loaded on first use (it takes about a second). */
export function danfojs(): typeof import('danfojs-node') {
  danfo ??= require('danfojs-node') as typeof import('danfojs-node');
  return danfo;
}

/**
 * Rows to a danfojs DataFrame, for tallies, exports and notebooks that want pandas-style work.
 * Keep large aggregation in SQL or a single pass: danfojs' groupby is slow on big inputs.
 *
 * @example
 * const df = toFrame(rows); df.shape // [rows, columns]
 */
export function toFrame<T extends Record<string, unknown>>(rows: readonly T[], columns?: string[]): DataFrame {
  const { DataFrame } = danfojs();
  if (rows.length === 0) return new DataFrame([], { columns: columns ?? [] });
  const cols = columns ?? Object.keys(rows[0]!);
  const normalised = rows.map((row) => cols.map((c) => normaliseValue(row[c])));
  return new DataFrame(normalised, { columns: cols });
}

function normaliseValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** A DataFrame back to plain rows, e.g. to render with `htmlTable`. */
export function frameRows(df: DataFrame): Record<string, unknown>[] {
  const columns = df.columns as string[];
  return (df.values as unknown[][]).map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null])));
}

/**
 * Counts rows by one or more keys in a single pass, largest first, as rows `{...keys, count}`.
 *
 * @example
 * tally(jobs, ['name', 'status']) // [{ name: 'Dqt::UpdateTraineeJob', status: 500, count: 12 }, …]
 */
export function tally<T extends Record<string, unknown>, K extends keyof T & string>(rows: Iterable<T>, keys: K[]): (Pick<T, K> & { count: number })[] {
  const counts = new Map<string, { row: Pick<T, K>; count: number }>();
  for (const row of rows) {
    const picked = Object.fromEntries(keys.map((k) => [k, row[k] ?? null])) as Pick<T, K>;
    const id = JSON.stringify(keys.map((k) => picked[k]));
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { row: picked, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).map(({ row, count }) => ({ ...row, count }));
}
