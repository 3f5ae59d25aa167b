import { htmlTable } from '../tables/html.js';
import { escapeHtml } from '../tables/format.js';
import { textTable } from '../tables/text.js';
import { showHtml } from '../notebook/display.js';
import type { TableName } from '../db/schema.js';
import { postCommitRunner } from './actions.js';
import { isPlanRef } from './builder.js';
import { describeValue } from './format.js';
import { planHash } from './hash.js';
import { describeSetCheck } from './sets.js';
import type { Plan, RowChange } from './types.js';

/** One line of a preview: one field of one row, before and after. */
export interface PreviewLine {
  change: RowChange['kind'];
  table: TableName;
  /** The row id, or `new` for a row the plan inserts. */
  row: string;
  label: string;
  field: string;
  before: string;
  after: string;
  /** True when the field is emptied (a value becomes null). */
  emptied: boolean;
}

export interface PlanPreview {
  title: string;
  hash: string;
  /** True when the plan changes nothing (and has no actions). */
  empty: boolean;
  lines: PreviewLine[];
  /** Rows changed per table and kind. */
  counts: { table: TableName; update: number; insert: number; discard: number; delete: number }[];
  actions: string[];
  /** The sets of rows checked again at commit (`plan.sets`), one line each. */
  checks: string[];
  html: string;
  text: string;
}

const ABSENT = '—';
/** Lines shown in the text preview (a terminal); the HTML shows up to 1,000 and counts the rest. */
const TEXT_LINES = 500;
const SKIP_ON_WHOLE_ROW = new Set(['created_at', 'updated_at']);

/** The lines of a preview: for updates each changed field, for inserts each value, for deletes each non-null value. */
export function previewLines(plan: Plan): PreviewLine[] {
  const lines: PreviewLine[] = [];
  for (const change of plan.changes) {
    const row = change.kind === 'insert' ? (change.id !== undefined ? String(change.id) : `new${change.ref ? ` (${change.ref})` : ''}`) : String(change.id);
    const base = { change: change.kind, table: change.table, row, label: change.label ?? '' };
    const show = (field: string, value: unknown) => (isPlanRef(value) ? `id of new ${value.$ref}` : describeValue(change.table, field, value));
    if (change.kind === 'update') {
      for (const [field, value] of Object.entries(change.values as Record<string, unknown>)) {
        const expected = change.expected as Record<string, unknown>;
        lines.push({ ...base, field, before: field in expected ? show(field, expected[field]) : '(not read)', after: show(field, value), emptied: value === null });
      }
    } else if (change.kind === 'discard') {
      lines.push({ ...base, field: 'discarded_at', before: 'null', after: '(commit time)', emptied: false });
    } else if (change.kind === 'insert') {
      for (const [field, value] of Object.entries(change.values as Record<string, unknown>)) {
        if (SKIP_ON_WHOLE_ROW.has(field)) continue;
        lines.push({ ...base, field, before: ABSENT, after: show(field, value), emptied: false });
      }
    } else {
      for (const [field, value] of Object.entries(change.expected as Record<string, unknown>)) {
        if (SKIP_ON_WHOLE_ROW.has(field) || value === null || value === undefined) continue;
        lines.push({ ...base, field, before: show(field, value), after: ABSENT, emptied: false });
      }
    }
  }
  return lines;
}

/**
 * What a plan will do, ready to show: one line per changed field (before → after, enum names with their integers,
 * nulls as null), counts per table, the post-commit actions and the plan's hash. A plan that changes nothing says so.
 *
 * @example
 * const p = previewPlan(plan);
 * console.log(p.text);   // terminal
 * showPlan(plan);        // notebook (HTML)
 */
export function previewPlan(plan: Plan): PlanPreview {
  const hash = planHash(plan);
  const lines = previewLines(plan);
  const byTable = new Map<TableName, PlanPreview['counts'][number]>();
  for (const change of plan.changes) {
    const entry = byTable.get(change.table) ?? { table: change.table, update: 0, insert: 0, discard: 0, delete: 0 };
    entry[change.kind]++;
    byTable.set(change.table, entry);
  }
  const counts = [...byTable.values()];
  const actions = plan.actions.map((a) => {
    const target = isPlanRef(a.traineeId) ? `the new trainee (${a.traineeId.$ref})` : `trainee ${a.traineeId}`;
    const available = postCommitRunner(a.kind) ? '' : ' — not available in this toolkit yet: do it by hand';
    return `After the commit: enqueue ${a.job} (queue ${a.queue}) for ${target}: ${a.description}${available}`;
  });
  const checks = (plan.sets ?? []).map((set) => `Checked again at commit: ${describeSetCheck(set)}`);
  const empty = plan.changes.length === 0 && plan.actions.length === 0;
  const countText = counts.map((c) => `${c.table}: ${(['update', 'insert', 'discard', 'delete'] as const).filter((k) => c[k]).map((k) => `${c[k]} ${PAST[k]}`).join(', ')}`);
  const header = `Plan: ${plan.title}${plan.ticket ? `\nTicket: ${plan.ticket}` : ''}\nHash: ${hash}`;
  const nothing = 'This plan changes nothing: every row already holds the values asked for.';

  const text = [
    header,
    empty ? nothing : `Rows: ${countText.join('; ')}`,
    ...(lines.length ? [textTable(lines.slice(0, TEXT_LINES).map(({ emptied: _e, ...l }) => l), { columns: ['change', 'table', 'row', 'label', 'field', 'before', 'after'], maxWidth: 48 })] : []),
    ...(lines.length > TEXT_LINES ? [`… and ${(lines.length - TEXT_LINES).toLocaleString('en-GB')} more lines (previewLines(plan) has them all)`] : []),
    ...checks,
    ...actions,
  ].join('\n');

  const html = [
    `<div style="font:13px/1.5 system-ui,sans-serif;margin:6px 0"><strong>Plan: ${escapeHtml(plan.title)}</strong>`,
    plan.ticket ? `<div>Ticket: ${escapeHtml(plan.ticket)}</div>` : '',
    `<div>Hash <code>${hash}</code> · built ${escapeHtml(plan.builtAt)}</div>`,
    empty ? `<div style="border-left:5px solid #1d70b8;background:#eef5fb;padding:6px 10px;margin:6px 0">${escapeHtml(nothing)}</div>` : `<div>${escapeHtml(countText.join(' · '))}</div>`,
    '</div>',
    lines.length
      ? htmlTable(
          lines.map(({ emptied: _e, ...l }) => l),
          { caption: 'Fields that will change (emptied fields highlighted)', columns: ['change', 'table', 'row', 'label', 'field', 'before', 'after'], rowClass: (_r, i) => (lines[i]!.emptied ? 'warn' : lines[i]!.change === 'delete' ? 'bad' : undefined), pageSize: 100 },
        )
      : '',
    [...checks, ...actions].map((a) => `<div style="font:13px system-ui,sans-serif;margin:4px 0">${escapeHtml(a)}</div>`).join(''),
  ].join('');

  return { title: plan.title, hash, empty, lines, counts, actions, checks, html, text };
}

const PAST = { update: 'updated', insert: 'inserted', discard: 'discarded', delete: 'deleted' } as const;

/** Shows a plan's preview: HTML in a notebook, text in a terminal. Returns the preview. */
export function showPlan(plan: Plan): PlanPreview {
  const preview = previewPlan(plan);
  showHtml(preview.html, preview.text);
  return preview;
}
