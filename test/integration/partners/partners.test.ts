import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../../lib/sandbox/seed/index.js';
import { changeLogOf, commitIfRequested, commitPlan, revertPlan } from '../../../lib/plan/index.js';
import { convertProvidersToLeadPartners, schoolToLeadPartner } from '../../../lib/partners/index.js';
import { createTestDatabase, type TestDatabase, TEST_SANDBOX } from '../../helpers/db.js';
import { diff, snapshot } from '../plan/snapshot.js';

const config = { operator: 'Ada Support', writesAllowed: true, database: TEST_SANDBOX };

/** Lead partners (DQT era, 2024-08) were renamed training partners in 2026: the same fixes on each. */
describe.each([
  { version: '2024-08' as const, partners: 'lead_partners' as const, users: 'lead_partner_users' as const, column: 'lead_partner_id' as const, noun: 'lead partner', schoolType: 'lead_school' },
  { version: '2026-08' as const, partners: 'training_partners' as const, users: 'training_partner_users' as const, column: 'training_partner_id' as const, noun: 'training partner', schoolType: 'school' },
])('partners on Register $version', ({ version, partners, users, column, noun, schoolType }) => {
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase({ version });
  await seed(t.db);
});
afterAll(() => t?.drop());

const auditsOf = (planId: string) => t.db.selectFrom('audits').selectAll().where('request_uuid', '=', planId).orderBy('id').execute();

describe('convert-provider-to-lead-partner', () => {
  it('refuses an invalid record type before reading anything, and unknown or malformed ids', async () => {
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'lead_school' })).rejects.toThrow(`'lead_school' is not a valid record_type, should be one of ["hei", "scitt"]. Nothing was changed.`);
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['4', '77'], recordType: 'scitt' })).rejects.toThrow('No provider with id 77 in this database (the rake task would skip it silently). Check the ids.');
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: ['four'], recordType: 'scitt' })).rejects.toThrow('providerIds "four" is not a provider id: expected whole numbers such as 4.');
    await expect(convertProvidersToLeadPartners(t.db, { providerIds: [], recordType: 'scitt' })).rejects.toThrow(/^providerIds is empty/);
  });

  it('creates the partner, unaccredits the provider and links its users; a second run plans nothing; stale links are removed; revert undoes it', async () => {
    const before = await snapshot(t.db);
    const fix = await convertProvidersToLeadPartners(t.db, { providerIds: '4', recordType: 'scitt' });
    expect(await commitIfRequested(t.db, fix.plan, { commit: false, auditComment: 'x', config })).toBeNull();
    expect(diff(before, await snapshot(t.db))).toEqual([]);
    const receipt = (await commitIfRequested(t.db, fix.plan, { commit: true, auditComment: 'Harbour lost accreditation (ticket 77)', config }))!;
    const changes = diff(before, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    const partner = await t.db.selectFrom(partners as 'lead_partners').selectAll().where('provider_id', '=', 4).executeTakeFirstOrThrow();
    expect(partner).toMatchObject({ record_type: 'scitt', name: 'Harbour Teaching Alliance', ukprn: '10099004', urn: null, school_id: null });
    expect(changes.map((c) => [c.table, c.kind, c.kind === 'update' ? Object.keys(c.changes!).sort() : c.row!.user_id ?? c.row!.name])).toEqual([
      ['providers', 'update', ['accredited', 'updated_at']],
      [partners, 'insert', 'Harbour Teaching Alliance'],
      [users, 'insert', 3],
      [users, 'insert', 4],
    ]);
    expect(changes.filter((c) => c.table === users).every((c) => c.row![column] === partner.id)).toBe(true);
    // Register audits only the provider: partners and their users are recorded in the toolkit's change log.
    const audits = await auditsOf(fix.plan.id);
    expect(audits.map((a) => [a.auditable_type, a.action, a.version, a.associated_type, a.associated_id])).toEqual([['Provider', 'update', 1, null, null]]);
    expect(audits[0]!.audited_changes).toEqual({ accredited: [true, false] });
    expect(audits[0]!.comment).toBe('Harbour lost accreditation (ticket 77)');
    const log = await changeLogOf(t.db, fix.plan.id);
    expect(log.map((e) => [e.table, e.action, e.auditId === null ? null : 'audited', e.operator, e.comment])).toEqual([
      [partners, 'create', null, 'Ada Support', 'Harbour lost accreditation (ticket 77)'],
      ['providers', 'update', 'audited', 'Ada Support', 'Harbour lost accreditation (ticket 77)'],
      [users, 'create', null, 'Ada Support', 'Harbour lost accreditation (ticket 77)'],
      [users, 'create', null, 'Ada Support', 'Harbour lost accreditation (ticket 77)'],
    ]);
    expect(log[0]!.after).toMatchObject({ name: 'Harbour Teaching Alliance', record_type: 'scitt', provider_id: 4 });

    // Idempotent: run again, nothing to do.
    const again = await convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'scitt' });
    expect(again.plan.changes).toEqual([]);

    // A user who is no longer a provider user loses the link; a new provider user gains one.
    await t.db.deleteFrom('provider_users').where('provider_id', '=', 4).where('user_id', '=', 4).execute();
    await t.db.insertInto('provider_users').values({ provider_id: 4, user_id: 6, created_at: new Date(), updated_at: new Date() }).execute();
    const sync = await convertProvidersToLeadPartners(t.db, { providerIds: ['4'], recordType: 'hei' });
    expect(sync.notes.some((n) => n.message.includes('already exists as scitt'))).toBe(true);
    expect(sync.plan.changes.map((c) => [c.kind, c.table])).toEqual([
      ['insert', users],
      ['delete', users],
    ]);
    await commitPlan(t.db, sync.plan, { auditComment: 'user sync', config });
    const links = await t.db.selectFrom(users as 'lead_partner_users').select('user_id').where(column as 'lead_partner_id', '=', partner.id).orderBy('user_id').execute();
    expect(links.map((l) => l.user_id)).toEqual([3, 6]);

    // Revert of the first commit: refused, because the links changed since (drift on a deleted row).
    await expect(commitPlan(t.db, revertPlan(receipt), { auditComment: 'undo', config })).rejects.toMatchObject({ reason: 'missing-row' });
  });
});

describe('school-to-lead-partner', () => {
  it('refuses unknown, closed and already-partner schools and a malformed URN', async () => {
    await expect(schoolToLeadPartner(t.db, { urn: '999999' })).rejects.toThrow(/^No school with URN 999999 in this database/);
    await expect(schoolToLeadPartner(t.db, { urn: '100005' })).rejects.toThrow(`Old Quay Infant School (URN 100005) closed on 2023-08-31: a closed school cannot become a ${noun}.`);
    await expect(schoolToLeadPartner(t.db, { urn: '100001' })).rejects.toThrow(`Meadow Lane Primary School (URN 100001) is already a ${noun}: ${noun} 1 (Meadow Lane Primary School, ${schoolType}). Nothing to do.`);
    await expect(schoolToLeadPartner(t.db, { urn: 'URN 1' })).rejects.toThrow(/^urn "URN 1" is not a school URN/);
  });

  it('makes a partner of the school with its name and urn, as that Register does; nothing Register audits, so only the change log records it', async () => {
    const before = await snapshot(t.db);
    const fix = await schoolToLeadPartner(t.db, { urn: '100004' });
    const receipt = await commitPlan(t.db, fix.plan, { auditComment: 'Riverside asked to be a partner', config });
    const changes = diff(before, await snapshot(t.db)).filter((c) => c.table !== 'audits');
    expect(changes.map((c) => [c.table, c.kind])).toEqual(version === '2024-08' ? [['schools', 'update'], [partners, 'insert']] : [[partners, 'insert']]);
    expect(changes.find((c) => c.table === partners)!.row).toMatchObject({ record_type: schoolType, name: 'Riverside Primary School', urn: '100004', school_id: 4, ukprn: null, provider_id: null });
    if (version === '2024-08') expect(changes.find((c) => c.table === 'schools')!.changes).toMatchObject({ lead_school: [false, true] });
    expect(receipt.auditIds).toEqual([]);
    expect((await changeLogOf(t.db, fix.plan.id)).map((e) => [e.table, e.action]).sort()).toEqual(changes.map((c) => [c.table, c.kind === 'insert' ? 'create' : 'update']).sort());
    await expect(schoolToLeadPartner(t.db, { urn: '100004' })).rejects.toThrow(`is already a ${noun}`);
  });

  if (version === '2026-08') {
    it('restores a discarded training partner of the school rather than creating another (TrainingPartner.find_or_create_by! then undiscard!)', async () => {
      const partner = await t.db.selectFrom('training_partners').select(['id']).where('urn', '=', '100004').executeTakeFirstOrThrow();
      await t.db.updateTable('training_partners').set({ discarded_at: new Date('2026-01-01T00:00:00Z') }).where('id', '=', partner.id).execute();
      const fix = await schoolToLeadPartner(t.db, { urn: '100004' });
      expect(fix.plan.changes.map((c) => [c.kind, c.table, 'id' in c ? c.id : null])).toEqual([['update', 'training_partners', partner.id]]);
      await commitPlan(t.db, fix.plan, { auditComment: 'Riverside is a partner again', config });
      expect((await t.db.selectFrom('training_partners').select('discarded_at').where('id', '=', partner.id).executeTakeFirstOrThrow()).discarded_at).toBeNull();
    });
  }
});
});
