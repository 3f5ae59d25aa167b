import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { describeUrl, loadConfig } from '../../config/env.js';
import { connect } from '../../db/connect.js';
import { backgroundSandboxNotice, ensureSandbox, databaseAnswers } from '../../sandbox/ensure.js';
import { textTable } from '../../tables/text.js';
import { toCsv } from '../../tables/csv.js';
import { deadJobsCsv, triageDeadSet, triageJson } from '../../triage/report.js';

const help = `
support triage [--queue dqt] [--json | --csv] [--register-csv FILE [--job NAME]] [--no-db]

Classifies every dead (failed) job of the queue by the support playbook's rules: the kind of error, the playbook's
explanation, the suggested action, whether it is safe to run in bulk (only re-running 500s and timeouts is), and the
runbook to open. Trainees with both a failed update and a failed award are marked: retry the update first.

  --queue NAME         queue to read (repeatable; default dqt)
  --json               print an array of {queue, jobId, jobName, traineeId, slug, failedAt, attempts, status,
                       errorCode, errorClass, explanation, action, bulkSafe, runbook}
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
    const queues = values.queue?.length ? values.queue : ['dqt'];
    const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      throw new EnvironmentError(`cannot reach Redis at ${describeUrl(config.redis.url)}: ${(error as Error).message}`);
    }
    let db: ReturnType<typeof connect> | undefined;
    try {
      if (!values['no-db']) {
        const ensured = await ensureSandbox(config);
        if (ensured.started) process.stderr.write(`${backgroundSandboxNotice(ensured)}\n`);
        if (!(await databaseAnswers(config.database.url))) throw new EnvironmentError(`cannot reach the database at ${describeUrl(config.database.url)} (use --no-db to triage without slugs)`);
        db = connect(config.database.url);
      }
      const interactive = process.stderr.isTTY && !values.json && !values.csv;
      const report = await triageDeadSet(redis, {
        prefix: config.redis.prefix,
        queues,
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
        process.stdout.write(`${report.total} dead job(s) in ${queues.join(', ')}, ${report.uniqueTrainees} trainee(s).\n\n`);
        if (report.total) {
          process.stdout.write(`${textTable(report.byKind.map(({ kind, count, trainees, bulkSafeJobs, runbook }) => ({ kind, jobs: count, trainees, bulkSafe: bulkSafeJobs, runbook })))}\n\n`);
          process.stdout.write(`${textTable(report.records.map((r) => ({ jobId: r.jobId, job: r.jobName, trainee: r.slug ?? r.traineeId, failedAt: r.failedAt, kind: r.kind, action: r.action })), { maxWidth: 60 })}\n`);
        }
      }
      return EXIT.ok;
    } finally {
      redis.disconnect();
      await db?.destroy();
    }
  },
};
