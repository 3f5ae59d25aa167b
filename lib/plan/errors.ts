import { InputError } from '../notebook/input-error.js';

/**
 * Why a commit was refused. Nothing was written when this is thrown; `message` says what is wrong and what to do.
 *
 * | reason | when |
 * |---|---|
 * | `blank-comment` | no audit comment |
 * | `unknown-operator` | no operator given and no `SUPPORT_OPERATOR` |
 * | `writes-not-allowed` | a real database without `SUPPORT_ALLOW_WRITES=true` |
 * | `drift` | a row changed since the plan was built (names the row and field, expected and found) |
 * | `missing-row` | a row the plan changes no longer exists |
 * | `already-exists` | a row the plan inserts already exists |
 * | `locked` | a row stayed locked by another transaction (Register changing it right now) past the lock timeout |
 * | `wrong-database` | the connection reaches another database than the configuration names (the sandbox, or DATABASE_URL) |
 */
export class PlanRefusedError extends InputError {
  override name = 'PlanRefusedError';
  constructor(
    readonly reason: 'blank-comment' | 'unknown-operator' | 'writes-not-allowed' | 'drift' | 'missing-row' | 'already-exists' | 'locked' | 'wrong-database',
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Bad input to a fix (unknown slug, unknown route, impossible date, trainee in the wrong state). Thrown before any
 * plan is built; the message names what is wrong and what is expected.
 */
export class FixInputError extends InputError {
  override name = 'FixInputError';
}
