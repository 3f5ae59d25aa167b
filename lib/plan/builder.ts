import { randomUUID } from 'node:crypto';
import type { TableName } from '../db/schema.js';
import type { ChangeAudit, DiscardableTable, InsertValues, Plan, PlanRef, PostCommitAction, RowChange, RowSetCheck, RowValues, SetCondition } from './types.js';

/** A preview label, or options: the label and how the change is audited (`audit: 'none'` when Register's own code writes no audit for it). */
export type ChangeOptions = string | { label?: string; audit?: ChangeAudit };
const optionsOf = (o: ChangeOptions | undefined) => {
  const { label, audit } = typeof o === 'string' ? { label: o, audit: undefined } : (o ?? {});
  return { ...(label ? { label } : {}), ...(audit ? { audit } : {}) };
};
import { sameValue } from './values.js';

/**
 * Builds a Plan: say what should change, nothing else. Columns and values are typed from Register's schema.
 * Updates keep only the columns whose value really changes, so a plan never audits a no-op.
 *
 * @example
 * const plan = planBuilder('Incorrectly awarded: back to trn_received', { ticket: 'https://…/1234' })
 *   .update('trainees', trainee.id,
 *     { state: 6, awarded_at: trainee.awarded_at },        // what the row holds now
 *     { state: 2, awarded_at: null })                       // what it should hold
 *   .enqueue({ job: 'Dqt::UpdateTraineeJob', queue: 'dqt', traineeId: trainee.id, description: 'Send the change to DQT' })
 *   .build();
 * showPlan(plan);                                           // preview: one line per field, before → after
 * const receipt = await commitPlan(db, plan, { auditComment: 'Awarded in error (ticket 1234)' });
 */
export class PlanBuilder {
  private readonly changes: RowChange[] = [];
  private readonly actions: PostCommitAction[] = [];
  private readonly sets: RowSetCheck[] = [];
  constructor(
    private readonly title: string,
    private readonly options: { ticket?: string; id?: string } = {},
  ) {}

  /** Change `values` on one row that must still hold `expected` (give every column you read to decide the change). */
  update<T extends TableName>(table: T, id: number, expected: RowValues<T>, values: RowValues<T>, options?: ChangeOptions): this {
    const changed = Object.fromEntries(
      Object.entries(values).filter(([column, value]) => !(column in expected) || !sameValue((expected as Record<string, unknown>)[column], value)),
    ) as RowValues<T>;
    if (Object.keys(changed).length === 0) return this;
    this.changes.push({ kind: 'update', table, id, expected: { ...expected }, values: changed, ...optionsOf(options) } as RowChange);
    return this;
  }

  /** Add a row; `ref` lets later changes and actions use its id (`builder.ref(name)`). */
  insert<T extends TableName>(table: T, values: InsertValues<T>, options: { ref?: string; id?: number; absent?: RowValues<T>; label?: string; audit?: ChangeAudit } = {}): this {
    this.changes.push({ kind: 'insert', table, values: { ...values }, ...options } as RowChange);
    return this;
  }

  /** Soft-delete a row (discarded_at = commit time), as Register's `discard!`. */
  discard<T extends DiscardableTable>(table: T, id: number, expected: RowValues<T>, options?: ChangeOptions): this {
    this.changes.push({ kind: 'discard', table, id, expected: { ...expected, discarded_at: null }, ...optionsOf(options) } as RowChange);
    return this;
  }

  /** Delete a row; pass the whole row as read (it goes into the destroy audit and lets the plan be reverted). */
  delete<T extends TableName>(table: T, id: number, row: RowValues<T>, options?: ChangeOptions): this {
    const { id: _id, ...expected } = row as RowValues<T> & { id?: number };
    this.changes.push({ kind: 'delete', table, id, expected, ...optionsOf(options) } as RowChange);
    return this;
  }

  /**
   * The plan depends on this set of rows: at commit, after locking `lock` (the parent rows), the rows of `table` matching
   * `where` (any of the conditions when a list) must still be exactly `ids`, or the commit is refused.
   *
   * @example
   * builder.expectSet('placements', { trainee_id: trainee.id }, placements.map((p) => p.id), {
   *   label: `placements of trainee ${trainee.id}`, lock: { table: 'trainees', ids: [trainee.id] } });
   */
  expectSet<T extends TableName>(
    table: T,
    where: SetCondition<T> | SetCondition<T>[],
    ids: readonly number[],
    options: { label: string; lock?: { table: TableName; ids: readonly number[] } | { table: TableName; ids: readonly number[] }[] },
  ): this {
    const locks = options.lock === undefined ? [] : Array.isArray(options.lock) ? options.lock : [options.lock];
    this.sets.push({
      label: options.label,
      table,
      where: (Array.isArray(where) ? where : [where]).map((w) => ({ ...w })),
      ids: [...new Set(ids)].sort((a, b) => a - b),
      lock: locks.map((l) => ({ table: l.table, ids: [...new Set(l.ids)].sort((a, b) => a - b) })),
    } as RowSetCheck);
    return this;
  }

  /** Enqueue a job after the commit. */
  enqueue(action: Omit<Extract<PostCommitAction, { kind: 'enqueue-job' }>, 'kind'>): this {
    this.actions.push({ kind: 'enqueue-job', ...action });
    return this;
  }

  /** The id a row inserted with `ref: name` will get. */
  ref(name: string): PlanRef {
    return { $ref: name };
  }

  build(): Plan {
    return {
      id: this.options.id ?? randomUUID(),
      title: this.title,
      ...(this.options.ticket?.trim() ? { ticket: this.options.ticket.trim() } : {}),
      changes: this.changes.map((c) => ({ ...c })),
      actions: [...this.actions],
      ...(this.sets.length ? { sets: this.sets.map((c) => ({ ...c })) } : {}),
      builtAt: new Date().toISOString(),
    };
  }
}

/** Starts a plan. See `PlanBuilder`. */
export function planBuilder(title: string, options: { ticket?: string; id?: string } = {}): PlanBuilder {
  return new PlanBuilder(title, options);
}

export function isPlanRef(value: unknown): value is PlanRef {
  return !!value && typeof value === 'object' && typeof (value as PlanRef).$ref === 'string' && Object.keys(value as object).length === 1;
}
