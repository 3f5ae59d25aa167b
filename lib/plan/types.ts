import type { Selectable } from 'kysely';
import type { RegisterDatabase, TableName } from '../db/schema.js';

/**
 * A Plan: plain data listing every intended change (rows to update, insert, soft-delete or delete) and what runs
 * after the commit (a job to enqueue). Build one with `planBuilder`, show it with `showPlan`, commit it with
 * `commitPlan`. Nothing in a Plan touches the database until it is committed.
 */
export interface Plan {
  /** A uuid; written to every audit as `request_uuid`, so a plan's audits can be found and it cannot be applied twice. */
  id: string;
  /** What the plan does, in a support developer's words. */
  title: string;
  /** A support ticket (URL or reference), written on a second line of every audit comment when given. */
  ticket?: string;
  changes: RowChange[];
  actions: PostCommitAction[];
  /**
   * Sets of rows the plan's effect depends on (a trainee's placements, a withdrawal's reasons), checked again at
   * commit: if one gained or lost a row since the plan was built, the commit is refused. Absent in plans saved before
   * sets existed.
   */
  sets?: RowSetCheck[];
  /** When the plan was built (ISO text): shown in the preview; not part of the hash. */
  builtAt: string;
}

/**
 * How a set's rows are chosen, column by column (all must hold): a value (`=`), `null` (`IS NULL`), a list (any of
 * them), or `{ normalised: [...] }` (the column trimmed of whitespace and lower-cased, blank as null, is one of them:
 * how e-mails are compared).
 */
export type SetMatch = string | number | boolean | null | readonly (string | number)[] | { normalised: readonly string[] };
export type SetCondition<T extends TableName = TableName> = { [C in keyof Row<T> & string]?: SetMatch };

/**
 * A set of rows, as plain data: "the rows of `table` matching any of `where` are exactly `ids`", e.g. the placements
 * of trainee 7 are exactly ids [3, 4]. At commit the `lock` rows (the parents) are locked `FOR UPDATE` first, which
 * also blocks new children inserted through a foreign key to them, then the set is read again; any difference refuses
 * the commit, naming the rows added or gone.
 */
export interface RowSetCheck<T extends TableName = TableName> {
  /** What the set is, for the preview and a refusal: "placements of trainee 101 (Maya Okafor)". */
  label: string;
  table: T;
  /** The set's rows: those matching any of these conditions. */
  where: SetCondition<T>[];
  /** The ids the plan saw, ascending. */
  ids: number[];
  /** Rows locked FOR UPDATE before the set is read again. */
  lock: { table: TableName; ids: number[] }[];
}

/** Every column of a table as read, by name. */
export type Row<T extends TableName> = Selectable<RegisterDatabase[T]>;
/** Some columns of a table (never `id`, which is the key), with the types Kysely reads them as. */
export type RowValues<T extends TableName> = Partial<Omit<Row<T>, 'id'>>;

/** Refers, inside one plan, to the id a row inserted by the same plan will get (e.g. a new lead partner's id for its users). */
export interface PlanRef {
  $ref: string;
}
export type InsertValues<T extends TableName> = { [C in keyof RowValues<T>]?: RowValues<T>[C] | PlanRef };

/** Change column values of one row. `expected` holds the values the row must still have at commit time. */
export interface UpdateChange<T extends TableName = TableName> {
  kind: 'update';
  table: T;
  id: number;
  expected: RowValues<T>;
  values: RowValues<T>;
  /** A label for the preview, e.g. the trainee's name. */
  label?: string;
  /** `none` when Register's own code makes this change without an audit (see `ChangeAudit`). */
  audit?: ChangeAudit;
}

/**
 * How a change is recorded. By default as Register records it: an `audits` row when Register audits the table at
 * this version (`auditPolicy`), and always a change-log row. `none`: Register's own code makes this change without
 * running the model's callbacks (e.g. `trainee.withdrawal_reasons.clear` deletes the join rows directly), so no
 * `audits` row is written; the change log still records it.
 */
export type ChangeAudit = 'none';

/** Add a row. Its id is taken from the table's sequence at commit time unless given; `ref` names it for `PlanRef`s. */
export interface InsertChange<T extends TableName = TableName> {
  kind: 'insert';
  table: T;
  id?: number;
  ref?: string;
  values: InsertValues<T>;
  /** The commit is refused if a row matching these values already exists (e.g. `{ ukprn }` for a lead partner). */
  absent?: RowValues<T>;
  label?: string;
  audit?: ChangeAudit;
}

/** Tables with a `discarded_at` column (the discard gem's soft delete). */
export type DiscardableTable = { [T in TableName]: 'discarded_at' extends keyof RegisterDatabase[T] ? T : never }[TableName];

/** Soft-delete a row: `discarded_at` set to the commit time (Register's `discard!`). */
export interface DiscardChange<T extends DiscardableTable = DiscardableTable> {
  kind: 'discard';
  table: T;
  id: number;
  expected: RowValues<T>;
  label?: string;
  audit?: ChangeAudit;
}

/** Delete a row. `expected` is the whole row as read: checked at commit, written to the destroy audit, used by revert. */
export interface DeleteChange<T extends TableName = TableName> {
  kind: 'delete';
  table: T;
  id: number;
  expected: RowValues<T>;
  label?: string;
  audit?: ChangeAudit;
}

type ChangeOf<T extends TableName> = UpdateChange<T> | InsertChange<T> | DeleteChange<T> | (T extends DiscardableTable ? DiscardChange<T> : never);
/** One change to one row, typed by its table: column names and value types come from `RegisterDatabase`. */
export type RowChange = { [T in TableName]: ChangeOf<T> }[TableName];

/** Something done after the transaction commits, never inside it. */
export type PostCommitAction = EnqueueJobAction;

/** Enqueue a Register job (Sidekiq class name as Register writes it) for a record, e.g. `Dqt::UpdateTraineeJob`. */
export interface EnqueueJobAction {
  kind: 'enqueue-job';
  job: string;
  queue: string;
  /** The record the job is for; `PlanRef` for a record the plan inserts. */
  traineeId: number | PlanRef;
  description: string;
}

/** What a commit did: keep it (it is plain data) to revert the plan later. */
export interface Receipt {
  planId: string;
  hash: string;
  title: string;
  /** True when nothing was written because the plan had already been committed (its audits exist) or every row already held its new values. */
  alreadyCommitted: boolean;
  /** Why nothing was written, when `alreadyCommitted`. */
  note?: string;
  rowsChanged: number;
  /** Rows changed per table and kind, e.g. `{ trainees: { update: 1 } }`. */
  counts: Partial<Record<TableName, Partial<Record<RowChange['kind'], number>>>>;
  auditIds: number[];
  committedAt: string;
  operator: string;
  comment: string;
  /** What each change wrote, with the values before and after, for `revertPlan`. */
  applied: AppliedChange[];
  actions: ActionResult[];
}

export interface AppliedChange {
  kind: RowChange['kind'];
  table: TableName;
  id: number;
  /** Column values before (null for an insert). */
  before: Record<string, unknown> | null;
  /** Column values after (null for a delete). */
  after: Record<string, unknown> | null;
}

export interface ActionResult {
  action: PostCommitAction;
  status: 'done' | 'failed' | 'unavailable';
  message: string;
}
