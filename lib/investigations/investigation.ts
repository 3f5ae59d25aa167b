import type { Config } from '../config/env.js';
import type { RegisterDb } from '../db/connect.js';
import { traineeState, trainingRoute } from '../db/enums.js';
import type { Trainee } from '../db/schema.js';
import { fullName } from '../trainees/lookup.js';
import { trnRequestsOf } from '../trainees/trn-request.js';
import { createDqtClient, type DqtClient } from '../dqt/client.js';
import { parseDqtErrorMessage } from '../dqt/error.js';
import { openJobStore } from '../queues/open.js';
import type { JobStore } from '../queues/store.js';
import { messageWithoutHeaders } from '../queues/http-error.js';
import { callout, showHtml, showTable, type Tone } from '../notebook/display.js';
import { PlanRefusedError } from '../plan/errors.js';
import { commitPlan } from '../plan/commit.js';
import { showReceipt } from '../plan/notebook.js';
import { showPlan } from '../plan/preview.js';
import type { Plan, Receipt } from '../plan/types.js';
import { commitJobPlan, jobPlanDrift, showJobPlan, showJobReceipt, type FailedJobRef, type JobPlan, type JobReceipt } from '../queues/actions.js';
import { findTraineeJobs, type TraineeJob } from '../queues/find.js';
import { classifyFailure, PLAYBOOK_RULES, type ErrorKind } from '../triage/rules.js';
import { escapeHtml } from '../tables/format.js';
import { compareWithDqt, type ComparisonRow, type DqtComparison } from './compare.js';
import { compareWithTrs, type TrsComparison } from './compare-trs.js';
import { classifyTrsFailure, type InvestigationKind } from './trs-kinds.js';
import { createTrsClient, type TrsClient } from '../trs/client.js';
import { registerFeatures } from '../db/versions/detect.js';

/**
 * What every DQT-error investigation shares: the connections it needs (Register's database, DQT or TRS, the job store:
 * Sidekiq or BullMQ, lib/queues/store.ts),
 * the trainee's jobs, the shape of its answer, and the notebook cells that show and commit it.
 *
 * @example
 * const { db, config } = await openRunbook();
 * const ctx = openInvestigation(db, config);
 * const inv = await investigateServerError(ctx, { slug });
 * showInvestigation(inv);
 * showInvestigationPlan(inv);
 * await commitInvestigationIfRequested(ctx, inv, { commit, auditComment });
 */
export interface InvestigationContext {
  db: RegisterDb;
  dqt: DqtClient;
  /** TRS (config.trs), for a Register that talks to TRS (schema 2026-08); made on first use. */
  readonly trs: TrsClient;
  jobs: JobStore;
  config: Config;
  close(): Promise<void>;
}

/**
 * Connects an investigation to the configured DQT, TRS and job store (the runbook's database is reused). Which of DQT
 * and TRS an investigation asks is Register's era (`registerFeatures(db).api`), never a parameter; the TRS client is
 * made only when a TRS-era investigation first asks for it.
 */
export function openInvestigation(db: RegisterDb, config: Config, options: { dqt?: DqtClient; trs?: TrsClient; jobs?: JobStore } = {}): InvestigationContext {
  const dqt = options.dqt ?? createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db, timeoutMs: 10_000 });
  const jobs = options.jobs ?? openJobStore(config);
  let trs: TrsClient | null = options.trs ?? null;
  let ownTrs: TrsClient | null = null;
  return {
    db,
    dqt,
    get trs(): TrsClient {
      if (!trs) trs = ownTrs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey, version: config.trs.version, timeoutMs: 10_000 });
      return trs;
    },
    jobs,
    config,
    async close() {
      if (!options.dqt) await dqt.close();
      if (ownTrs) await ownTrs.close();
      if (!options.jobs) await jobs.close();
    },
  };
}

/** Which service the connected Register talks to: `'dqt'` (schema 2024-08) or `'trs'` (2026-08). */
export async function investigationEra(ctx: Pick<InvestigationContext, 'db'>): Promise<'dqt' | 'trs'> {
  return (await registerFeatures(ctx.db)).api;
}

/** A dead job of the trainee, classified by the playbook. */
export interface TraineeDeadJob extends FailedJobRef {
  kind: InvestigationKind;
  status: number | null;
  errorCode: number | null;
  /** DQT's validation map, e.g. `{"qualification.providerUkprn": ["Organisation not found"]}`. */
  errors: Record<string, string[]>;
  /** When it died (the dead set's score on Sidekiq; finishedOn on BullMQ). */
  failedAt: string | null;
  /** Its first failure (Sidekiq's failed_at), when kept. */
  firstFailedAt: string | null;
  attempts: number;
}

/** A plain-text message the developer pastes to DQT or the provider. */
export interface ReadyMessage {
  to: string;
  /** When to send it, if not now (e.g. "if the retry fails again"). */
  when: string | null;
  subject: string;
  body: string;
}

export interface Fact {
  fact: string;
  value: string | number | boolean | null;
}

/** What an investigation returns. */
export interface Investigation {
  /** The runbook, e.g. `dqt-errors/server-error-500`. */
  runbook: string;
  kind: InvestigationKind;
  trainee: Record<string, unknown>;
  /** Register and DQT side by side (DQT era; null on a Register that talks to TRS). */
  comparison: DqtComparison | null;
  /** Register and TRS side by side: only on a Register that talks to TRS. */
  trsComparison?: TrsComparison | null;
  /** Every job of the trainee (BullMQ: the dqt and default queues; Sidekiq: every queue), in any state. */
  jobs: TraineeJob[];
  /** The trainee's dead jobs of this investigation's kind. */
  deadJobs: TraineeDeadJob[];
  /** What was read, one line each. */
  facts: Fact[];
  /** The diagnosis in one sentence. */
  diagnosis: string;
  /** The suggested next step. */
  nextStep: string;
  /** A change to Register's data (lib/plan), when the playbook has one. */
  plan: Plan | null;
  /** A change to the job queues (lib/queues), when the playbook has one. */
  jobPlan: JobPlan | null;
  /** Why nothing is planned, or what to check before committing. */
  planNote: string | null;
  /** What to send to DQT or the provider, with the differences found. */
  message: ReadyMessage | null;
  notes: { tone: Tone; message: string }[];
}

/** Names the fields of a trainee a support developer checks first. */
export function traineeFacts(trainee: Trainee, provider: { name: string | null; ukprn: string | null } | null): Record<string, unknown> {
  return {
    id: trainee.id,
    slug: trainee.slug,
    name: fullName(trainee),
    state: traineeState.fromDb(trainee.state ?? 0),
    training_route: trainee.training_route === null ? null : trainingRoute.fromDb(trainee.training_route),
    trn: trainee.trn,
    date_of_birth: trainee.date_of_birth,
    provider: provider ? `${provider.name} (UKPRN ${provider.ukprn ?? 'none'})` : null,
    submitted_for_trn_at: trainee.submitted_for_trn_at,
    outcome_date: trainee.outcome_date,
    awarded_at: trainee.awarded_at,
  };
}


/** The trainee's TRN request ids (a RetrieveTrnJob carries its request, not the trainee). */
export async function trnRequestIdsOf(db: RegisterDb, traineeId: number): Promise<number[]> {
  return (await trnRequestsOf(db, traineeId)).map((r) => r.id);
}

/**
 * Every job of the trainee (BullMQ: the `dqt` and `default` queues, `trs` and `default` on a Register that talks to
 * TRS; Sidekiq: every queue), in any state, and its dead jobs classified by the playbook (TRS era: by
 * `classifyTrsFailure`), newest first.
 */
export async function traineeJobsOf(ctx: Pick<InvestigationContext, 'db' | 'jobs'>, traineeId: number, era: 'dqt' | 'trs' = 'dqt'): Promise<{ jobs: TraineeJob[]; dead: TraineeDeadJob[] }> {
  const trnRequestIds = await trnRequestIdsOf(ctx.db, traineeId);
  const info = await ctx.jobs.info();
  const jobs = await findTraineeJobs(ctx.jobs, { queues: info.defaultQueues === null ? null : [era, 'default'], traineeId, trnRequestIds });
  const dead = jobs
    .filter((j) => j.dead)
    .map((j): TraineeDeadJob => {
      let c: { kind: InvestigationKind; status: number | null; errorCode: number | null };
      let parsed: { errors: Record<string, string[]> } | null;
      if (era === 'trs') {
        const t = classifyTrsFailure(j.failedReason === null ? null : messageWithoutHeaders(j.failedReason), j.jobName);
        c = { kind: t.kind, status: t.http?.status ?? null, errorCode: t.http?.errorCode ?? null };
        parsed = t.http;
      } else {
        c = classifyFailure(j.failedReason === null ? null : messageWithoutHeaders(j.failedReason));
        parsed = j.failedReason ? parseDqtErrorMessage(j.failedReason) : null;
      }
      return {
        queue: j.queue,
        jobId: j.jobId,
        jobName: j.jobName,
        traineeId,
        message: j.failedReason ?? '',
        location: j.location,
        kind: c.kind,
        status: c.status,
        errorCode: c.errorCode,
        errors: parsed?.errors ?? {},
        failedAt: j.at,
        firstFailedAt: j.firstFailedAt,
        attempts: j.attempts,
      };
    })
    .sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
  return { jobs, dead };
}

/** One line per dead job, for facts and messages: `Dqt::UpdateTraineeJob #12 failed 2026-11-30 …: status: 404, …`. */
export function deadJobLine(j: TraineeDeadJob): string {
  const first = j.firstFailedAt && j.firstFailedAt !== j.failedAt ? ` (first failed ${j.firstFailedAt})` : '';
  return `${j.jobName ?? '(no name)'} #${j.jobId} died ${j.failedAt ?? 'at an unknown time'}${first} after ${j.attempts} attempt(s): ${j.message.slice(0, 300)}`;
}

/** The rows of a comparison for a table: differences marked. */
export function comparisonTableRows(rows: readonly ComparisonRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({ field: r.field, Register: r.register, DQT: r.dqt, same: r.match ? 'yes' : 'NO', note: r.note }));
}

/** The message as the developer pastes it. */
export function messageText(m: ReadyMessage): string {
  return `To: ${m.to}\nSubject: ${m.subject}\n\n${m.body}`;
}

/** The trainee block every message starts with. */
export function messageTraineeBlock(comparison: DqtComparison): string {
  const t = comparison.register.trainee;
  const p = comparison.register.provider;
  return [
    `Trainee: ${fullName(t)}`,
    `Date of birth (Register): ${t.date_of_birth ?? 'not recorded'}`,
    `TRN: ${t.trn ?? 'none on Register'}`,
    `Register trainee id / slug: ${t.id} / ${t.slug}`,
    `Provider: ${p ? `${p.name} (UKPRN ${p.ukprn ?? 'none'})` : 'none'}`,
    `Training route: ${comparison.register.route ?? 'none'} (DQT programme type ${comparison.register.programmeType ?? 'none'})`,
    `Register state: ${comparison.register.state}`,
  ].join('\n');
}

/** Shows an investigation: trainee, Register vs DQT, jobs, facts, then the diagnosis, next step and message. */
export function showInvestigation(inv: Investigation): void {
  showTable([inv.trainee], { caption: 'Trainee on Register' });
  if (inv.comparison) {
    const c = inv.comparison;
    if (c.rows.length) {
      showTable(comparisonTableRows(c.rows), {
        caption: `Register and DQT side by side (${c.lookup === 'retrieve' ? 'GET /v2/teachers/{trn}' : 'find by name, date of birth and e-mail'}): ${c.differences.length} difference(s)`,
        rowClass: (r) => (r.same === 'NO' ? 'bad' : undefined),
      });
    } else {
      callout(c.dqtStatus === 'unavailable' ? 'error' : 'warn', `DQT ${c.dqtStatus === 'unavailable' ? 'could not be asked' : c.dqtStatus === 'multiple' ? 'matched more than one teacher' : 'has no teacher for this trainee'}: ${c.dqtError ?? ''}`, 'Nothing to compare');
    }
    if (c.teacher?.initialTeacherTraining.length) {
      showTable(
        c.teacher.initialTeacherTraining.map((t) => ({ provider_ukprn: t.provider?.ukprn ?? null, programmeType: t.programmeType, result: t.result, start: t.programmeStartDate, end: t.programmeEndDate, active: t.active, chosen: t === c.itt ? `yes (${c.ittMatch})` : '' })),
        { caption: "DQT's ITT rows", rowClass: (r) => (r.chosen ? 'good' : undefined) },
      );
    }
  }
  if (inv.trsComparison) showTrsComparison(inv.trsComparison);
  showTraineeJobs(inv.jobs, "The trainee's jobs (every queue and state)");
  showTable(inv.facts as unknown as Record<string, unknown>[], { caption: 'Facts' });
  callout(inv.plan || inv.jobPlan ? 'warn' : 'info', `${inv.diagnosis}\n\nNext step: ${inv.nextStep}`, 'Diagnosis');
  for (const n of inv.notes) callout(n.tone, n.message);
  if (inv.message) showMessage(inv.message);
}

/** Shows a ready message in a box that keeps its line breaks, to copy as it is. */
export function showMessage(m: ReadyMessage): void {
  const text = messageText(m);
  const title = `Message to ${m.to}${m.when ? ` (${m.when})` : ''}: copy and send`;
  showHtml(
    `<div style="border-left:5px solid #1d70b8;background:#f8f8f8;padding:6px 10px;margin:6px 0;font:13px system-ui,sans-serif"><strong>${escapeHtml(title)}</strong><pre style="white-space:pre-wrap;font:12px/1.5 ui-monospace,monospace;margin:6px 0">${escapeHtml(text)}</pre></div>`,
    `--- ${title} ---\n${text}\n---`,
  );
}

/** The preview cell: the data plan and the job plan, or why nothing is planned. */
export function showInvestigationPlan(inv: Investigation): void {
  if (!inv.plan && !inv.jobPlan) {
    callout('info', inv.planNote ?? 'The playbook has no change to make here.', 'Nothing planned');
    return;
  }
  if (inv.planNote) callout('warn', inv.planNote, 'Before committing');
  if (inv.plan) showPlan(inv.plan);
  if (inv.jobPlan) showJobPlan(inv.jobPlan);
}

export interface InvestigationCommit {
  receipt: Receipt | null;
  jobReceipt: JobReceipt | null;
}

/**
 * Commits what an investigation planned: the data plan first (one audited transaction), then, only if that
 * succeeded, the job plan (drift-checked, in the run ledger). Refusals are shown and thrown.
 */
export async function commitInvestigation(ctx: InvestigationContext, inv: Investigation, options: { auditComment: string; operator?: string | null }): Promise<InvestigationCommit> {
  let receipt: Receipt | null = null;
  let jobReceipt: JobReceipt | null = null;
  // With both plans, check the jobs first: a data change must not be committed when its job half would be refused.
  if (inv.plan && inv.jobPlan) {
    const problems = await jobPlanDrift(ctx.jobs, inv.jobPlan);
    if (problems.length) {
      throw new PlanRefusedError('drift', `Refused: the queue changed since this plan was built, so nothing was written and no job was touched.\n${problems.map((p) => `  - ${p}`).join('\n')}\nRun the runbook again for a new plan.`, problems);
    }
  }
  if (inv.plan) receipt = await commitPlan(ctx.db, inv.plan, { auditComment: options.auditComment, operator: options.operator, config: ctx.config });
  if (inv.jobPlan) jobReceipt = await commitJobPlan(inv.jobPlan, { auditComment: options.auditComment, operator: options.operator, config: ctx.config, jobs: ctx.jobs });
  return { receipt, jobReceipt };
}

/**
 * A trainee's jobs as a table. Times: `last enqueued` is the last push onto a queue (Sidekiq rewrites it on every
 * retry), `first failed` the first failure, `when` the time of the state (died, next try, runs, finished).
 */
export function showTraineeJobs(jobs: readonly TraineeJob[], caption: string): void {
  showTable(
    jobs.map((j) => ({ queue: j.queue, state: j.state, job: `${j.jobName ?? `(${j.shape})`} #${j.jobId}`, 'last enqueued': j.enqueuedAt, 'first failed': j.firstFailedAt, when: j.at, attempts: j.attempts, error: j.failedReason, dead: j.dead })),
    { caption, columns: ['queue', 'state', 'job', 'last enqueued', 'first failed', 'when', 'attempts', 'error'], rowClass: (r) => (r.dead ? 'warn' : undefined) },
  );
}

/**
 * The commit cell: does nothing unless `commit` is true; then commits (see `commitInvestigation`) and shows the receipts.
 *
 * @example
 * await commitInvestigationIfRequested(ctx, inv, { commit, auditComment });
 */
export async function commitInvestigationIfRequested(ctx: InvestigationContext, inv: Investigation, options: { commit: boolean; auditComment: string; operator?: string | null }): Promise<InvestigationCommit | null> {
  if (!options.commit) {
    callout('info', 'Preview only (commit = false): nothing was written and no job was touched. To apply the plan, set commit = true and an auditComment in the parameters cell, then run the runbook again.', 'Preview only');
    return null;
  }
  if (!inv.plan && !inv.jobPlan) {
    callout('info', `Nothing to commit: ${inv.planNote ?? 'this investigation planned no change.'}`, 'Nothing to do');
    return null;
  }
  try {
    const result = await commitInvestigation(ctx, inv, options);
    if (result.receipt) showReceipt(result.receipt);
    if (result.jobReceipt) showJobReceipt(result.jobReceipt);
    return result;
  } catch (error) {
    if (error instanceof PlanRefusedError) callout('error', error.message, 'Commit refused');
    throw error;
  }
}

/** The playbook's rule for a kind (explanation, action), for facts. */
export function ruleOf(kind: ErrorKind) {
  return PLAYBOOK_RULES[kind];
}

/** "today + n days" at midnight UTC, as `Date.today + 4.days`. */
export function daysFromToday(days: number, now = new Date()): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}

/** What every investigation reads first: the comparison with DQT, the trainee's jobs, and its dead jobs of these kinds. */
export async function gatherInvestigation(ctx: InvestigationContext, slug: string, kinds: readonly ErrorKind[]) {
  const comparison = await compareWithDqt(ctx.db, ctx.dqt, slug);
  const trainee = comparison.register.trainee;
  const { jobs, dead } = await traineeJobsOf(ctx, trainee.id);
  return {
    comparison,
    trainee,
    traineeRow: traineeFacts(trainee, comparison.register.provider),
    jobs,
    dead,
    target: dead.filter((d) => (kinds as readonly InvestigationKind[]).includes(d.kind)),
  };
}

/** Facts shared by every investigation: the DQT lookup and the dead jobs. */
export function commonFacts(comparison: DqtComparison, target: readonly TraineeDeadJob[]): Fact[] {
  return [
    { fact: 'DQT asked by', value: comparison.lookup === 'retrieve' ? `TRN (GET /v2/teachers/${comparison.register.trainee.trn})` : 'find (no TRN on Register)' },
    { fact: 'DQT answer', value: comparison.dqtStatus === 'found' ? `found (TRN ${comparison.teacher?.trn ?? comparison.found?.trn})` : `${comparison.dqtStatus}: ${comparison.dqtError ?? ''}` },
    { fact: 'Differences with DQT', value: comparison.rows.length ? comparison.differences.length : 'not compared' },
    ...target.map((j) => ({ fact: 'Dead job', value: deadJobLine(j) })),
  ];
}

// ------------------------------------------------------------------ TRS era (Register 2026-08)

/** The rows of a TRS comparison for a table: differences marked. */
export function trsComparisonTableRows(rows: readonly ComparisonRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({ field: r.field, Register: r.register, TRS: r.dqt, same: r.match ? 'yes' : 'NO', note: r.note }));
}

/** Register and TRS side by side, and TRS's routes to professional status (the one Register's is marked). */
export function showTrsComparison(c: TrsComparison): void {
  if (c.rows.length) {
    showTable(trsComparisonTableRows(c.rows), {
      caption: `Register and TRS side by side (GET /v3/persons/${c.register.trainee.trn}): ${c.differences.length} difference(s)`,
      rowClass: (r) => (r.same === 'NO' ? 'bad' : undefined),
    });
  } else if (c.trsStatus === 'no-trn') {
    callout('info', 'Register has no TRN for this trainee, so there is no TRS person to compare: the TRN request says where it stands.', 'Nothing to compare');
  } else {
    callout(c.trsStatus === 'unavailable' ? 'error' : 'warn', `TRS ${c.trsStatus === 'unavailable' ? 'could not be asked' : `answered ${c.trsStatus}`}: ${c.trsError ?? ''}`, 'Nothing to compare');
  }
  const routes = c.person?.routesToProfessionalStatuses ?? [];
  if (routes.length) {
    showTable(
      routes.map((r) => ({ route: r.routeToProfessionalStatusType.name, status: r.status, provider_ukprn: r.trainingProvider?.ukprn ?? null, start: r.trainingStartDate, end: r.trainingEndDate, holds_from: r.holdsFrom, chosen: r === c.route ? `yes (${c.routeMatch})` : '' })),
      { caption: "TRS's routes to professional status", rowClass: (r) => (r.chosen ? 'good' : undefined) },
    );
  }
}

/** The trainee block every TRS-era message starts with. */
export function messageTrsTraineeBlock(comparison: TrsComparison): string {
  const t = comparison.register.trainee;
  const p = comparison.register.provider;
  return [
    `Trainee: ${fullName(t)}`,
    `Date of birth (Register): ${t.date_of_birth ?? 'not recorded'}`,
    `TRN: ${t.trn ?? 'none on Register'}`,
    `Register trainee id / slug: ${t.id} / ${t.slug}`,
    `Provider: ${p ? `${p.name} (UKPRN ${p.ukprn ?? 'none'})` : 'none'}`,
    `Training route: ${comparison.register.route ?? 'none'} (TRS route type ${comparison.routeTypeId ?? 'none'})`,
    `Register state: ${comparison.register.state}`,
  ].join('\n');
}

/**
 * What every TRS-era investigation reads first: Register and TRS side by side (`compareWithTrs`), the trainee's jobs
 * (`trs` and `default` on BullMQ, every queue on Sidekiq), and its dead jobs of these kinds.
 */
export async function gatherTrsInvestigation(ctx: InvestigationContext, slug: string, kinds: readonly InvestigationKind[]) {
  const comparison = await compareWithTrs(ctx.db, ctx.trs, slug);
  const trainee = comparison.register.trainee;
  const { jobs, dead } = await traineeJobsOf(ctx, trainee.id, 'trs');
  return {
    comparison,
    trainee,
    traineeRow: traineeFacts(trainee, comparison.register.provider),
    jobs,
    dead,
    target: dead.filter((d) => kinds.includes(d.kind)),
  };
}

/** Facts shared by every TRS-era investigation: the TRS lookup and the dead jobs. */
export function trsCommonFacts(comparison: TrsComparison, target: readonly TraineeDeadJob[]): Fact[] {
  const t = comparison.register.trainee;
  return [
    { fact: 'Register talks to', value: 'TRS (Register 2026-08: trs_trn_requests, queue trs, Trs:: jobs)' },
    { fact: 'TRS asked by', value: t.trn ? `TRN (GET /v3/persons/${t.trn})` : 'nothing: no TRN on Register' },
    {
      fact: 'TRS answer',
      value: comparison.trsStatus === 'found' ? `found (TRN ${comparison.person?.trn}, ${comparison.person?.routesToProfessionalStatuses?.length ?? 0} route(s))` : `${comparison.trsStatus}${comparison.trsError ? `: ${comparison.trsError}` : ''}`,
    },
    { fact: 'Differences with TRS', value: comparison.rows.length ? comparison.differences.length : 'not compared' },
    ...target.map((j) => ({ fact: 'Dead job', value: deadJobLine(j) })),
  ];
}
