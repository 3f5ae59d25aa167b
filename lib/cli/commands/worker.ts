import { EXIT, EnvironmentError, UsageError, type Command } from '../command.js';
import { describeUrl, loadConfig } from '../../config/env.js';
import { connect, ping } from '../../db/connect.js';
import { createDqtClient } from '../../dqt/client.js';
import { createTrsClient } from '../../trs/client.js';
import { QUEUE_NAMES, type QueueName } from '../../jobs/names.js';
import { openJobQueues } from '../../jobs/queues.js';
import { startJobWorkers } from '../../jobs/worker.js';

/** `support worker`: runs the DQT, TRS and Apply job processors against the configured database, Redis, DQT and TRS. */
export const command: Command = {
  name: 'worker',
  summary: 'Run the job workers (dqt, trs and default queues) against the configured DQT and TRS',
  help: `
support worker [--queues dqt,trs,default] [--concurrency N]

Works Register's job queues on REDIS_URL (key prefix REDIS_PREFIX): the DQT jobs (Dqt::RegisterForTrnJob,
Dqt::RetrieveTrnJob, Dqt::UpdateTraineeJob, Dqt::WithdrawTraineeJob, Dqt::RecommendForAwardJob) call the DQT at
DQT_API_URL (the DQT sandbox when unset), today's TRS jobs (Trs::RegisterForTrnJob, Trs::RetrieveTrnJob,
Trs::UpdateTraineeJob, Trs::UpdateProfessionalStatusJob) the TRS at TRS_API_URL (the TRS sandbox when unset), and
both write trainee changes, audited, to DATABASE_URL (the sandbox when unset). Failed jobs retry as Register's do; a
job out of attempts stays in the failed (dead) set.

Options:
  --queues LIST      queues to work, comma separated (default: dqt,trs,default)
  --concurrency N    jobs at once per queue (default 5)

Against a database other than the sandbox it needs SUPPORT_ALLOW_WRITES=true: its jobs write trainee changes.
Stop with Ctrl-C: jobs in progress finish first.
`,
  async run(argv) {
    let queueNames: QueueName[] = [...QUEUE_NAMES];
    let concurrency = 5;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
      const value = () => inline ?? argv[++i] ?? '';
      if (flag === '--queues') {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        const bad = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
        if (!names.length || bad.length) throw new UsageError(`--queues expects some of ${QUEUE_NAMES.join(', ')}, got "${names.join(',')}".`);
        queueNames = names as QueueName[];
      } else if (flag === '--concurrency') {
        const v = value();
        concurrency = Number(v);
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) throw new UsageError(`--concurrency expects a whole number from 1 to 50, got "${v}".`);
      } else {
        throw new UsageError(`unknown option "${arg}".`);
      }
    }
    const config = loadConfig();
    if (!config.writesAllowed) {
      throw new EnvironmentError(
        `the worker writes trainee changes (TRNs, states, award dates) to ${describeUrl(config.database.url)}, and writes to a database other than the sandbox are off. Set SUPPORT_ALLOW_WRITES=true (and SUPPORT_OPERATOR) if you mean it.`,
      );
    }
    const db = connect(config.database.url, { applicationName: 'register-support worker' });
    const dqt = createDqtClient({ url: config.dqt.url, apiKey: config.dqt.apiKey, db });
    const trs = createTrsClient({ url: config.trs.url, apiKey: config.trs.apiKey, version: config.trs.version });
    const queues = openJobQueues(config.redis);
    try {
      await ping(db);
    } catch (error) {
      await Promise.all([queues.close(), dqt.close(), trs.close(), db.destroy()]);
      throw new EnvironmentError(`cannot reach the database at ${describeUrl(config.database.url)}: ${(error as Error).message}`);
    }
    try {
      await queues.ensureReachable();
    } catch (error) {
      await Promise.all([queues.close(), dqt.close(), trs.close(), db.destroy()]);
      throw new EnvironmentError((error as Error).message);
    }
    const workers = startJobWorkers({ redis: config.redis, db, dqt, trs, queues, queueNames, concurrency });
    workers.onEvent((line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
    process.stdout.write(
      `Working ${queueNames.join(', ')} on ${describeUrl(config.redis.url)} (prefix ${config.redis.prefix}); DQT ${config.dqt.kind} at ${config.dqt.url}; TRS ${config.trs.kind} at ${config.trs.url}; database ${config.database.kind}. Ctrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await workers.close();
    await queues.close();
    await dqt.close();
    await trs.close();
    await db.destroy();
    return EXIT.ok;
  },
};
