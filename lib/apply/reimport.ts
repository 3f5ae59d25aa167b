import { sql } from 'kysely';
import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { applyApplicationState, type ApplyApplicationState } from '../db/enums.js';
import { displayTimestamp, type TimestampText } from '../db/timestamp.js';
import { openJobQueues } from '../jobs/queues.js';
import { callout, showMarkdown, showTable } from '../notebook/display.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { commitIfRequested } from '../plan/notebook.js';
import type { Receipt } from '../plan/types.js';
import { redactSecrets } from '../notebook/redact.js';

/**
 * The playbook's "Resolving Incorrect provider_type on Publish": Apply applications stuck on Register as
 * `non_importable_hei` (Publish said the provider was a university) are deleted on Register, touched on Apply, and
 * imported again by `import_applications_from_apply`, then turned into trainees by `create_trainees_from_apply`.
 *
 * `planApplyReimport` reads the matching `apply_applications` rows, the provider, and the last successful sync of
 * the year (the `changed_since` the next import will use, register-facts 9), and plans the deletion of the rows.
 * `commitApplyReimport` deletes them (one audited transaction, refused if a row changed) and then enqueues the two
 * jobs, in that order.
 *
 * @example
 * const fix = await planApplyReimport(db, { accreditedBodyCode: '2N2', recruitmentCycleYear: 2024 });
 * showApplyReimport(fix);
 * fix.applyStatement // 'ApplicationChoice.where(id: [9100, 9101, 9102]).touch_all'  (run on Apply)
 * await commitApplyReimport(db, fix, { commit, auditComment });
 */
export interface ApplyReimportInput {
  /** `apply_applications.accredited_body_code`, the provider code, e.g. `2N2`. */
  accreditedBodyCode: string;
  recruitmentCycleYear: number;
  /** Default `non_importable_hei`. `non_importable_duplicate` is allowed too (after the duplicate trainee was removed). */
  state?: ApplyApplicationState | string;
  ticket?: string;
}

export interface ApplyApplicationSummary {
  id: number;
  apply_id: number;
  state: ApplyApplicationState | null;
  accredited_body_code: string | null;
  recruitment_cycle_year: number | null;
  training_provider_type: string | null;
  accredited_provider_type: string | null;
  created_at: TimestampText;
  updated_at: TimestampText;
}

export interface ApplyReimportFix extends FixResult {
  input: { accreditedBodyCode: string; recruitmentCycleYear: number; state: ApplyApplicationState };
  rows: ApplyApplicationSummary[];
  /** The `apply_id`s to hand to Apply (ApplicationChoice ids). */
  applyIds: number[];
  /** What to run in Apply's Rails console so `changed_since` returns the applications again. */
  applyStatement: string;
  /** The same selection as the playbook writes it for Register's console, to cross-check. */
  registerStatement: string;
  provider: { id: number; name: string; code: string | null; apply_sync_enabled: boolean | null } | null;
  /** The last successful sync for the year: the next import asks Apply for changes since its `created_at`. */
  lastSuccessfulSync: { id: number; createdAt: TimestampText; responseCode: number | null } | null;
  changedSinceExplanation: string;
  /** Jobs enqueued after the commit, in order. */
  jobs: { job: 'import_applications_from_apply' | 'create_trainees_from_apply'; registerClass: string; args: Record<string, unknown>; delayMinutes: number }[];
}

const CODE = /^[A-Z0-9]{3}$/;
const ALLOWED_STATES: ApplyApplicationState[] = ['non_importable_hei', 'non_importable_duplicate'];

function checkInput(input: ApplyReimportInput): ApplyReimportFix['input'] {
  const code = String(input.accreditedBodyCode ?? '').trim().toUpperCase();
  if (!CODE.test(code)) throw new FixInputError(`accreditedBodyCode "${input.accreditedBodyCode ?? ''}" is not a provider code: expected three letters or digits, e.g. 2N2.`);
  const year = Number(input.recruitmentCycleYear);
  if (!Number.isInteger(year) || year < 2019 || year > 2100) throw new FixInputError(`recruitmentCycleYear ${JSON.stringify(input.recruitmentCycleYear)} is not a recruitment cycle year: expected a year such as 2024.`);
  const state = applyApplicationState.parse(String(input.state ?? 'non_importable_hei').trim());
  if (!ALLOWED_STATES.includes(state)) {
    throw new FixInputError(
      `state ${state} cannot be re-imported this way: ${state === 'imported' ? 'those applications already became trainees, and deleting the rows would import them again as duplicates' : 'importable rows are imported again anyway'}. Expected non_importable_hei (the playbook's case) or non_importable_duplicate.`,
    );
  }
  return { accreditedBodyCode: code, recruitmentCycleYear: year, state };
}

/** Reads the rows and plans their deletion. Reads only. */
export async function planApplyReimport(db: RegisterDb, rawInput: ApplyReimportInput): Promise<ApplyReimportFix> {
  const input = checkInput(rawInput);
  const stateValue = applyApplicationState.toDb(input.state);
  const full = await db
    .selectFrom('apply_applications')
    .selectAll()
    .where('accredited_body_code', '=', input.accreditedBodyCode)
    .where('recruitment_cycle_year', '=', input.recruitmentCycleYear)
    .where('state', '=', stateValue)
    .orderBy('apply_id')
    .execute();
  const course = (application: unknown): Record<string, unknown> => {
    const a = (typeof application === 'string' ? JSON.parse(application) : application) as { attributes?: { course?: Record<string, unknown> } } | null;
    return a?.attributes?.course ?? {};
  };
  const rows: ApplyApplicationSummary[] = full.map((r) => ({
    id: r.id,
    apply_id: r.apply_id,
    state: applyApplicationState.fromDb(r.state),
    accredited_body_code: r.accredited_body_code,
    recruitment_cycle_year: r.recruitment_cycle_year,
    training_provider_type: (course(r.application).training_provider_type as string) ?? null,
    accredited_provider_type: (course(r.application).accredited_provider_type as string) ?? null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }));
  const applyIds = rows.map((r) => r.apply_id);
  if (full.length) {
    const linked = await db.selectFrom('trainees').select(['id', 'apply_application_id']).where('apply_application_id', 'in', full.map((r) => r.id)).execute();
    if (linked.length) {
      throw new FixInputError(
        `Trainee${linked.length === 1 ? '' : 's'} ${linked.map((t) => t.id).join(', ')} ${linked.length === 1 ? 'was' : 'were'} created from ${linked.length === 1 ? 'one of these applications' : 'these applications'} (trainees.apply_application_id), so the rows cannot be deleted and re-imported: that would create the trainee again. Nothing was planned.`,
      );
    }
  }

  const provider =
    (await db.selectFrom('providers').select(['id', 'name', 'code', 'apply_sync_enabled']).where(sql<string>`upper(code)`, '=', input.accreditedBodyCode).where('discarded_at', 'is', null).executeTakeFirst()) ?? null;
  const sync = await db
    .selectFrom('apply_application_sync_requests')
    .select(['id', 'created_at', 'response_code'])
    .where('successful', '=', true)
    .where('recruitment_cycle_year', '=', input.recruitmentCycleYear)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const unsuccessfulSince = sync
    ? Number(
        (
          await db
            .selectFrom('apply_application_sync_requests')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('recruitment_cycle_year', '=', input.recruitmentCycleYear)
            .where((eb) => eb.or([eb('successful', '=', false), eb('successful', 'is', null)]))
            .where('created_at', '>', sync.created_at)
            .executeTakeFirstOrThrow()
        ).n,
      )
    : 0;
  const lastSuccessfulSync = sync ? { id: sync.id, createdAt: sync.created_at, responseCode: sync.response_code } : null;

  const builder = planBuilder(`Re-import ${rows.length} Apply application(s) for ${input.accreditedBodyCode} ${input.recruitmentCycleYear} (${input.state})`, { ticket: rawInput.ticket });
  for (const r of full) builder.delete('apply_applications', r.id, r, `apply_id ${r.apply_id}`);
  // Every row of the selection is deleted: a row stuck since the preview would be left behind, so the commit is refused.
  builder.expectSet('apply_applications', { accredited_body_code: input.accreditedBodyCode, recruitment_cycle_year: input.recruitmentCycleYear, state: stateValue }, full.map((r) => r.id), {
    label: `${input.state} apply_applications of ${input.accreditedBodyCode} for ${input.recruitmentCycleYear}`,
  });
  const plan = builder.build();

  const idList = `[${applyIds.join(', ')}]`;
  const applyStatement = `ApplicationChoice.where(id: ${idList}).touch_all`;
  const registerStatement = `ApplyApplication.where(accredited_body_code: "${input.accreditedBodyCode}", recruitment_cycle_year: ${input.recruitmentCycleYear}, state: :${input.state}).pluck(:apply_id)`;

  const when = (at: TimestampText) => displayTimestamp(at);
  const changedSinceExplanation = lastSuccessfulSync
    ? `The next import for ${input.recruitmentCycleYear} asks Apply only for applications changed since ${when(lastSuccessfulSync.createdAt)}: ` +
      `the created_at of the last successful apply_application_sync_requests row for that year (id ${lastSuccessfulSync.id}` +
      `${unsuccessfulSince ? `; ${unsuccessfulSince} unsuccessful sync${unsuccessfulSince === 1 ? '' : 's'} since then ${unsuccessfulSince === 1 ? 'is' : 'are'} ignored` : ''}). ` +
      `These applications last changed on Apply before that, so Apply will not return them unless they are touched there: touching sets their updated_at to now. ` +
      `And the rows on Register must be deleted first: the import leaves an existing row that is not importable untouched.`
    : `There is no successful sync for ${input.recruitmentCycleYear} yet, so the next import is a full import (changed_since left out) and returns every application of the year. ` +
      `Touching on Apply does no harm; the rows on Register must still be deleted first, because the import leaves an existing row that is not importable untouched.`;

  const notes: FixResult['notes'] = [];
  if (rows.length === 0) {
    notes.push({ tone: 'info', message: `No apply_applications rows for ${input.accreditedBodyCode} in ${input.recruitmentCycleYear} are ${input.state}: there is nothing to re-import.` });
  } else {
    notes.push({ tone: 'info', message: `${rows.length} application(s) to re-import. apply_id list for Apply: ${idList}` });
  }
  const stillUniversity = rows.filter((r) => r.training_provider_type === 'university' || r.accredited_provider_type === 'university').length;
  if (input.state === 'non_importable_hei') {
    notes.push({
      tone: 'warn',
      message: `First make sure the provider_type is corrected on Publish: the re-import sets non_importable_hei again while the training or accredited provider type is "university". ${stillUniversity} of the stored copies still say "university" (they are the old data: they cannot show whether Publish is fixed).`,
    });
  }
  if (input.state === 'non_importable_duplicate') {
    notes.push({ tone: 'warn', message: 'These rows were marked duplicates of existing trainees: create_trainees_from_apply will mark them non_importable_duplicate again unless the matching trainee was removed.' });
  }
  if (!provider) notes.push({ tone: 'warn', message: `No provider on Register has code ${input.accreditedBodyCode}: create_trainees_from_apply only creates trainees for a provider with apply_sync_enabled.` });
  else if (!provider.apply_sync_enabled) notes.push({ tone: 'warn', message: `${provider.name} (${input.accreditedBodyCode}) has apply_sync_enabled = false: create_trainees_from_apply will not create trainees for it until that is turned on.` });
  notes.push({ tone: 'info', message: 'Both jobs do nothing unless features.import_applications_from_apply is on, and create_trainees_from_apply uses the year in apply_applications.create.recruitment_cycle_year (see ops/settings).' });

  const jobs: ApplyReimportFix['jobs'] = [
    { job: 'import_applications_from_apply', registerClass: 'RecruitsApi::ImportApplicationsJob', args: { recruitmentCycleYears: [input.recruitmentCycleYear] }, delayMinutes: 0 },
    { job: 'create_trainees_from_apply', registerClass: 'Trainees::CreateFromApplyJob', args: {}, delayMinutes: 15 },
  ];

  return {
    plan,
    findings: [
      { caption: `apply_applications for ${input.accreditedBodyCode}, ${input.recruitmentCycleYear}, ${input.state}`, rows: rows as unknown as Record<string, unknown>[] },
      {
        caption: `Provider ${input.accreditedBodyCode} and the last successful sync for ${input.recruitmentCycleYear}`,
        rows: [
          {
            provider: provider?.name ?? null,
            provider_id: provider?.id ?? null,
            apply_sync_enabled: provider?.apply_sync_enabled ?? null,
            last_successful_sync: lastSuccessfulSync?.createdAt ?? null,
            sync_request_id: lastSuccessfulSync?.id ?? null,
          },
        ],
      },
    ],
    notes,
    input,
    rows,
    applyIds,
    applyStatement,
    registerStatement,
    provider: provider ? { id: provider.id, name: provider.name, code: provider.code, apply_sync_enabled: provider.apply_sync_enabled ?? null } : null,
    lastSuccessfulSync,
    changedSinceExplanation,
    jobs,
  };
}

/** Shows the rows, the provider and sync, the notes, the changed_since rule and the statement for Apply. */
export function showApplyReimport(fix: ApplyReimportFix): void {
  for (const f of fix.findings) showTable(f.rows, { caption: f.caption });
  for (const n of fix.notes) callout(n.tone, n.message);
  showMarkdown(`**Why Apply must touch the applications (\`changed_since\`):** ${fix.changedSinceExplanation}`);
  if (fix.applyIds.length) {
    showMarkdown(
      `**On Apply** (its Rails console), before the import runs:\n\n\`\`\`ruby\n${fix.applyStatement}\n\`\`\`\n\n` +
        `Cross-check on Register (the playbook's query; it should give the same ids):\n\n\`\`\`ruby\n${fix.registerStatement}\n\`\`\``,
    );
  }
}

export interface CommitApplyReimportOptions {
  commit: boolean;
  auditComment: string;
  config?: Pick<Config, 'operator' | 'writesAllowed'> & Partial<Config>;
  operator?: string;
  /** Enqueue the two jobs after the commit (default true). */
  enqueueJobs?: boolean;
}

export interface ApplyReimportReceipt {
  receipt: Receipt | null;
  jobs: { job: string; status: 'enqueued' | 'failed' | 'skipped'; message: string }[];
}

/**
 * Deletes the rows (nothing unless `commit`), then enqueues `import_applications_from_apply` for the year and
 * `create_trainees_from_apply` 15 minutes later (the import fetches in the background; trainees are created from
 * what it stored). A re-commit of the same plan writes and enqueues nothing.
 */
export async function commitApplyReimport(db: RegisterDb, fix: ApplyReimportFix, options: CommitApplyReimportOptions): Promise<ApplyReimportReceipt> {
  const receipt = await commitIfRequested(db, fix.plan, { commit: options.commit, auditComment: options.auditComment, config: options.config, operator: options.operator });
  const result: ApplyReimportReceipt = { receipt, jobs: [] };
  if (!receipt || receipt.alreadyCommitted || options.enqueueJobs === false) return result;
  const redis = options.config?.redis ?? (await import('../config/env.js')).loadConfig().redis;
  const queues = openJobQueues(redis);
  try {
    for (const j of fix.jobs) {
      try {
        const job =
          j.job === 'import_applications_from_apply'
            ? await queues.enqueue('import_applications_from_apply', { recruitmentCycleYears: [fix.input.recruitmentCycleYear] })
            : await queues.enqueue('create_trainees_from_apply', {}, { delayMs: j.delayMinutes * 60_000 });
        result.jobs.push({ job: j.job, status: 'enqueued', message: `${j.job} (${j.registerClass}) enqueued as job ${job.id}${j.delayMinutes ? `, to run in ${j.delayMinutes} minutes` : ''}.` });
      } catch (error) {
        result.jobs.push({
          job: j.job,
          status: 'failed',
          message: redactSecrets(`${j.job} could not be enqueued: ${(error as Error).message}. The rows are deleted; run ${j.registerClass}.perform_later in Register's console.`),
        });
        if (j.job === 'import_applications_from_apply') {
          result.jobs.push({ job: 'create_trainees_from_apply', status: 'skipped', message: 'create_trainees_from_apply was not enqueued because the import was not: run both by hand, import first.' });
          break;
        }
      }
    }
  } finally {
    await queues.close();
  }
  for (const j of result.jobs) callout(j.status === 'enqueued' ? 'ok' : 'warn', j.message, j.status === 'enqueued' ? 'After the commit' : 'Do this by hand');
  return result;
}
