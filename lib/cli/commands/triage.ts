import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { openJobStore } from '../../queues/open.js';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { describeUrl, loadConfig } from '../../config/env.js';
import { connect } from '../../db/connect.js';
import { backgroundSandboxNotice, ensureSandbox, databaseAnswers } from '../../sandbox/ensure.js';
import { textTable } from '../../tables/text.js';
import { toCsv } from '../../tables/csv.js';
import { deadJobsCsv, triageDeadSet, triageJson } from '../../triage/report.js';

const help = `
support triage [--queue NAME] [--retry] [--json | --csv] [--register-csv FILE [--job NAME]] [--no-db]

Classifies every dead job by the support playbook's rules: the kind of error, the playbook's explanation, the
suggested action, whether it is safe to run in bulk (only re-running 500s and timeouts is), and the runbook to open.
Trainees with both a failed update and a failed award are marked: retry the update first. Reads Register's Sidekiq
or the toolkit's BullMQ queues (QUEUE_BACKEND, or whichever REDIS_URL holds); on Sidekiq it also marks the dead jobs
Register's own clean-up (Sidekiq::RemoveDeadDuplicatesJob) will delete.

  --queue NAME         queue to read (repeatable; default: BullMQ dqt, Sidekiq every queue)
  --retry              Sidekiq: the retry set too (jobs that failed and will run again)
  --json               print an array of {queue, jobId, jobName, traineeId, slug, failedAt, attempts, status,
                       errorCode, errorClass, explanation, action, bulkSafe, runbook, state, firstFailedAt,
                       enqueuedAt, removedByCleanup, shape}; failedAt is when a dead job died
  --csv                the same records as CSV
  --register-csv FILE  also write Register's dead-jobs CSV (one row per trainee, its most recently enqueued job) to FILE
  --job NAME           with --register-csv: only this job, e.g. Dqt::UpdateTraineeJob
  --no-db              do not look up trainee slugs in the database

Without --json or --csv: a summary by kind and by job, then the jobs. Reads only; changes nothing.
`;

export const command: Command = {
  name: 'triage',
  summary: 'Classify every dead job by the playbook: explanation, action, runbook (--json, --csv)',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        queue: { type: 'string', multiple: true },
        retry: { type: 'boolean' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        'register-csv': { type: 'string' },
        job: { type: 'string' },
        'no-db': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.json && values.csv) throw new UsageError('choose one of --json and --csv');
    if (values.job && !values['register-csv']) throw new UsageError('--job goes with --register-csv');
    const config = loadConfig();
    const queues = values.queue?.length ? values.queue : null;
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      throw new EnvironmentError(`cannot reach Redis at ${describeUrl(config.redis.url)}: ${(error as Error).message}`);
    }
    let db: ReturnType<typeof connect> | undefined;
    const store = openJobStore(config);
    try {
      if (!values['no-db']) {
        const ensured = await ensureSandbox(config);
        if (ensured.started) process.stderr.write(`${backgroundSandboxNotice(ensured)}\n`);
        if (!(await databaseAnswers(config.database.url))) throw new EnvironmentError(`cannot reach the database at ${describeUrl(config.database.url)} (use --no-db to triage without slugs)`);
        db = connect(config.database.url);
      }
      const interactive = process.stderr.isTTY && !values.json && !values.csv;
      const info = await store.info().catch((error: Error) => {
        throw new EnvironmentError(error.message);
      });
      const report = await triageDeadSet(store, {
        queues,
        states: values.retry && info.failingStates.includes('retry') ? [info.deadState, 'retry'] : [info.deadState],
        db,
        onProgress: interactive ? (done, total) => process.stderr.write(`\rReading dead jobs: ${done} of ${total}`) : undefined,
      });
      if (interactive) process.stderr.write('\n');
      if (values['register-csv']) {
        if (!db) throw new UsageError('--register-csv needs the database (drop --no-db)');
        writeFileSync(values['register-csv'], await deadJobsCsv(db, report.records, { jobName: values.job }));
      }
      const rows = triageJson(report.records);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (values.csv) {
        process.stdout.write(toCsv(rows));
      } else {
        const where = `${info.backend === 'sidekiq' ? 'Sidekiq' : 'BullMQ'} at ${info.where}`;
        process.stdout.write(`${report.total} ${values.retry ? 'failed' : 'dead'} job(s) in ${queues ? queues.join(', ') : info.defaultQueues ? info.defaultQueues.join(', ') : 'every queue'} (${where}), ${report.uniqueTrainees} trainee(s).\n`);
        if (report.removedByCleanup) process.stdout.write(`${report.removedByCleanup} of them are older duplicates Register's Sidekiq::RemoveDeadDuplicatesJob will delete (marked cleanup).\n`);
        for (const note of report.notes) process.stdout.write(`${note}\n`);
        if (report.byShape.length) process.stdout.write(`Unreadable: ${report.byShape.map((x) => `${x.count} ${x.shape}`).join(', ')}.\n`);
        process.stdout.write('\n');
        if (report.total) {
          process.stdout.write(`${textTable(report.byKind.map(({ kind, count, trainees, bulkSafeJobs, runbook }) => ({ kind, jobs: count, trainees, bulkSafe: bulkSafeJobs, runbook })))}\n\n`);
          process.stdout.write(`${textTable(report.records.map((r) => ({ jobId: r.jobId, job: r.jobName ?? `(${r.shape})`, trainee: r.slug ?? r.traineeId, state: r.state, died: r.state === 'retry' ? null : r.failedAt, kind: r.kind, cleanup: r.removedByCleanup ? 'yes' : '', action: r.action })), { maxWidth: 60 })}\n`);
        }
      }
      return EXIT.ok;
    } finally {
      await store.close();
      redis.disconnect();
      await db?.destroy();
    }
  },
};
