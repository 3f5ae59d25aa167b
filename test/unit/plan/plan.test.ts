import { describe, expect, it } from 'vitest';
import { auditComment, auditUsername, canonicalJson, describeValue, planBuilder, planHash, previewPlan, revertPlan, sameValue, updateChanges, wholeRowChanges, type Receipt } from '../../../lib/plan/index.js';

describe('values', () => {
  it('compares timestamps, ISO text and jsonb by meaning', () => {
    expect(sameValue(new Date('2025-06-25T00:00:00Z'), '2025-06-25T00:00:00.000Z')).toBe(true);
    expect(sameValue('2025-06-25T10:00:00.654321Z', '2025-06-25T11:00:00.654321+01:00')).toBe(true);
    expect(sameValue('2025-06-25T10:00:00.654321Z', '2025-06-25T10:00:00.654999Z')).toBe(false);
    expect(sameValue(new Date('2025-06-25T10:00:00.654Z'), '2025-06-25T10:00:00.654321Z')).toBe(false);
    expect(sameValue(new Date('2025-06-25T00:00:00Z'), '2025-06-25T00:00:01Z')).toBe(false);
    expect(sameValue({ b: 1, a: [1, { d: 2, c: 3 }] }, { a: [1, { c: 3, d: 2 }], b: 1 })).toBe(true);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue(0, null)).toBe(false);
    expect(sameValue('2025-06-18', '2025-06-18')).toBe(true);
    expect(canonicalJson({ b: 1, a: undefined, c: new Date('2025-01-01T00:00:00Z') })).toBe('{"b":1,"c":"2025-01-01T00:00:00.000000Z"}');
    // A plan saved as JSON holds the Date as ISO text: it hashes the same.
    expect(canonicalJson({ c: '2025-01-01T00:00:00.000Z' })).toBe(canonicalJson({ c: new Date('2025-01-01T00:00:00Z') }));
  });
});

describe('describeValue', () => {
  it('names enum values, shows nulls and flags unknown integers', () => {
    expect(describeValue('trainees', 'state', 4)).toBe('withdrawn (4)');
    expect(describeValue('trainees', 'training_route', 13)).toBe('13 (not a known training route)');
    expect(describeValue('trainees', 'email', null)).toBe('null');
    expect(describeValue('trainees', 'email', 'a@b.c')).toBe('a@b.c');
    expect(describeValue('trainees', 'first_names', 'Ann\nMarie')).toBe('"Ann\\nMarie"');
  });
});

describe('audits', () => {
  it('formats as the audited gem does', () => {
    expect(auditUsername('Ada')).toBe('Ada via support notebook');
    expect(auditComment('  Withdrawn in error ', ' https://t/1 ')).toBe('Withdrawn in error\nhttps://t/1');
    expect(auditComment('Only a comment', '  ')).toBe('Only a comment');
    expect(updateChanges({ state: 6, awarded_at: new Date('2025-06-25T00:00:00Z') }, { state: 2, awarded_at: null, updated_at: new Date() })).toEqual({ state: [6, 2], awarded_at: ['2025-06-25T00:00:00.000Z', null] });
    expect(updateChanges({ state: 2, email: 'a@x' }, { state: 2, email: 'b@x' })).toEqual({ email: ['a@x', 'b@x'] });
    expect(wholeRowChanges({ id: 3, trainee_id: 1, name: 'x', created_at: new Date(), updated_at: new Date() })).toEqual({ trainee_id: 1, name: 'x' });
  });
});

describe('plans', () => {
  const build = () =>
    planBuilder('Example', { ticket: ' T-1 ' })
      .update('trainees', 7, { state: 6, email: 'a@x' }, { state: 2, email: 'a@x' }, 'Ann')
      .insert('lead_partners', { record_type: 'scitt', name: 'P' }, { ref: 'p' })
      .insert('lead_partner_users', { lead_partner_id: { $ref: 'p' }, user_id: 1 })
      .discard('trainee_withdrawals', 9, { trainee_id: 7 })
      .delete('placements', 5, { id: 5, trainee_id: 7, name: 'School', urn: null, created_at: new Date('2024-01-01T00:00:00Z') })
      .build();

  it('keeps only the columns that change, trims the ticket, and hashes content not identity', () => {
    const a = build();
    const b = build();
    expect(a.id).not.toBe(b.id);
    expect(a.ticket).toBe('T-1');
    expect(a.changes[0]).toMatchObject({ kind: 'update', values: { state: 2 } });
    expect(a.changes[4]).toMatchObject({ kind: 'delete', expected: { trainee_id: 7, name: 'School' } });
    expect(a.changes[4]!).not.toHaveProperty('expected.id');
    expect(planHash(a)).toBe(planHash(b));
    expect(planHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(planHash({ ...a, title: 'Other' })).not.toBe(planHash(a));
  });

  it('previews every kind of change', () => {
    const p = previewPlan(build());
    expect(p.lines.map((l) => [l.change, l.table, l.row, l.field, l.before, l.after])).toEqual([
      ['update', 'trainees', '7', 'state', 'awarded (6)', 'trn_received (2)'],
      ['insert', 'lead_partners', 'new (p)', 'record_type', '—', 'scitt'],
      ['insert', 'lead_partners', 'new (p)', 'name', '—', 'P'],
      ['insert', 'lead_partner_users', 'new', 'lead_partner_id', '—', 'id of new p'],
      ['insert', 'lead_partner_users', 'new', 'user_id', '—', '1'],
      ['discard', 'trainee_withdrawals', '9', 'discarded_at', 'null', '(commit time)'],
      ['delete', 'placements', '5', 'trainee_id', '7', '—'],
      ['delete', 'placements', '5', 'name', 'School', '—'],
    ]);
    expect(p.counts).toEqual([
      { table: 'trainees', update: 1, insert: 0, discard: 0, delete: 0 },
      { table: 'lead_partners', update: 0, insert: 1, discard: 0, delete: 0 },
      { table: 'lead_partner_users', update: 0, insert: 1, discard: 0, delete: 0 },
      { table: 'trainee_withdrawals', update: 0, insert: 0, discard: 1, delete: 0 },
      { table: 'placements', update: 0, insert: 0, discard: 0, delete: 1 },
    ]);
  });

  it('reverts a receipt in reverse order, and refuses a receipt that changed nothing', () => {
    const receipt = {
      planId: 'p1', hash: 'h', title: 'T', alreadyCommitted: false, rowsChanged: 3, counts: {}, auditIds: [1, 2, 3], committedAt: '2026-01-01T00:00:00.000Z', operator: 'Ada', comment: 'c', actions: [],
      applied: [
        { kind: 'update', table: 'trainees', id: 7, before: { state: 6 }, after: { state: 2 } },
        { kind: 'insert', table: 'lead_partners', id: 1001, before: null, after: { name: 'P' } },
        { kind: 'discard', table: 'trainee_withdrawals', id: 9, before: { discarded_at: null }, after: { discarded_at: '2026-01-01T00:00:00.000Z' } },
      ],
    } as Receipt;
    const undo = revertPlan(receipt);
    expect(undo.title).toBe('Revert: T');
    expect(undo.ticket).toBe('reverts plan p1 (hash h)');
    expect(undo.changes).toEqual([
      { kind: 'update', table: 'trainee_withdrawals', id: 9, expected: { discarded_at: '2026-01-01T00:00:00.000Z' }, values: { discarded_at: null } },
      { kind: 'delete', table: 'lead_partners', id: 1001, expected: { name: 'P' } },
      { kind: 'update', table: 'trainees', id: 7, expected: { state: 2 }, values: { state: 6 } },
    ]);
    expect(() => revertPlan({ ...receipt, alreadyCommitted: true, applied: [] })).toThrow(/^Nothing to revert/);
  });
});
