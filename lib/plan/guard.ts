import { loadConfig, type Config } from '../config/env.js';
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
