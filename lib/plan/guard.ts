import type { Kysely } from 'kysely';
import { describeUrl, loadConfig, type Config } from '../config/env.js';
import { databaseIdentity, databaseIdentityAt, describeIdentity, sameDatabase, type DatabaseIdentity } from '../db/identity.js';
import { PlanRefusedError } from './errors.js';

export interface CommitPermission {
  /** The audit comment, trimmed. */
  comment: string;
  /** Who commits. */
  operator: string;
}

/**
 * The three checks before any commit, of data or of jobs: a non-blank audit comment, a known operator, and writes
 * allowed in this environment. Throws `PlanRefusedError` (nothing is done) naming what is missing and how to give it.
 *
 * @example
 * const { comment, operator } = checkCommitAllowed({ auditComment, operator: options.operator, config });
 */
export function checkCommitAllowed(options: {
  auditComment: string | null | undefined;
  operator?: string | null;
  config?: Pick<Config, 'operator' | 'writesAllowed'>;
  /** What is being changed, for the messages: "change" (default) or e.g. "job action". */
  what?: string;
}): CommitPermission {
  const what = options.what ?? 'change';
  const comment = (options.auditComment ?? '').trim();
  if (!comment) {
    throw new PlanRefusedError('blank-comment', `Enter an audit comment: say why this ${what} is made (who asked, the ticket). Nothing was written.`);
  }
  const config = options.config ?? loadConfig();
  const operator = (options.operator ?? config.operator ?? '').trim();
  if (operator.length < 2) {
    throw new PlanRefusedError(
      'unknown-operator',
      `Who is making this ${what}? Set SUPPORT_OPERATOR to your name (it is written into the audits as "<name> via support notebook"). Nothing was written.`,
    );
  }
  if (!config.writesAllowed) {
    throw new PlanRefusedError(
      'writes-not-allowed',
      'Writes are not allowed on this database: it is not the sandbox and SUPPORT_ALLOW_WRITES is not "true". Nothing was written. Set SUPPORT_ALLOW_WRITES=true only for the session that must change data.',
    );
  }
  return { comment, operator };
}

/** Where the configuration says writes go, with the identity the server reports for a DATABASE_URL (see `writeTarget`). */
export type WriteTarget = { kind: 'sandbox'; url: string } | { kind: 'external'; url: string; identity: DatabaseIdentity };

/**
 * Reads where a commit may write, before its transaction opens (the DATABASE_URL is asked on a connection of its own:
 * never while the commit's transaction holds the embedded sandbox). Refuses when DATABASE_URL does not answer.
 */
export async function writeTarget(database: Config['database'], what = 'commit'): Promise<WriteTarget> {
  if (database.kind === 'sandbox') return { kind: 'sandbox', url: database.url };
  try {
    return { kind: 'external', url: database.url, identity: await databaseIdentityAt(database.url) };
  } catch (error) {
    throw new PlanRefusedError(
      'wrong-database',
      `Refused: cannot check that this ${what} writes to the database DATABASE_URL names (${describeUrl(database.url)}): it does not answer (${(error as Error).message}). Nothing was written.`,
    );
  }
}

/**
 * The fourth check, on the connection that will write (inside the commit's transaction): that it reaches the database
 * the configuration names, whatever connection the caller passed. With the sandbox configuration (no DATABASE_URL) the
 * database must carry the sandbox marker (`register_support.sandbox`); with a DATABASE_URL it must be the database that
 * URL reaches (same name and cluster, as both servers report them). Throws `PlanRefusedError` ('wrong-database')
 * naming both databases, passwords masked.
 *
 * @example
 * const target = await writeTarget(config.database);   // before the transaction
 * await checkWriteTarget(trx, target);                   // inside it, before anything is written
 */
export async function checkWriteTarget(
  connection: Kysely<any>,
  target: WriteTarget,
  what = 'commit',
): Promise<DatabaseIdentity> {
  const actual = await databaseIdentity(connection);
  if (target.kind === 'sandbox') {
    if (actual.sandbox) return actual;
    throw new PlanRefusedError(
      'wrong-database',
      `Refused: the configuration is the sandbox's (no DATABASE_URL: ${describeUrl(target.url)}), but this ${what} would write to ${describeIdentity(actual)}, ` +
        "which is not the sandbox (it has no register_support.sandbox marker). Nothing was written. Connect with connect(loadConfig().database.url) to write to the sandbox; " +
        'to write to that other database on purpose, set DATABASE_URL to it and SUPPORT_ALLOW_WRITES=true.',
    );
  }
  if (sameDatabase(actual, target.identity)) return actual;
  throw new PlanRefusedError(
    'wrong-database',
    `Refused: DATABASE_URL names ${describeIdentity(target.identity)} (${describeUrl(target.url)}), but this ${what} would write to ${describeIdentity(actual)}. ` +
      'Nothing was written. Connect with connect(loadConfig().database.url) so the commit goes to the database DATABASE_URL names.',
  );
}
