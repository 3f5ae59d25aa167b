import { InputError } from '../notebook/input-error.js';
import type { RegisterDb } from './connect.js';
import type { Trainee } from './schema.js';

/** A trainee that could not be found, with a message that says what was looked for and what a slug looks like. */
export class TraineeNotFoundError extends InputError {
  override name = 'TraineeNotFoundError';
}

const SLUG = /^[1-9A-HJ-NP-Za-km-z]{24}$/;

/**
 * Finds a trainee by slug (as in `/trainees/:slug`) or by numeric id, discarded ones included (Rails' `find` loads
 * them too; callers decide what a discarded record means).
 *
 * @example
 * const trainee = await findTrainee(db, 'P897V7tpB2zH75Fow7Kx7hEE');
 */
export async function findTrainee(db: RegisterDb, slugOrId: string | number): Promise<Trainee> {
  const raw = typeof slugOrId === 'number' ? String(slugOrId) : (slugOrId ?? '').trim();
  if (!raw) throw new TraineeNotFoundError('No trainee given: pass the slug from the trainee page URL (/trainees/<slug>), 24 letters and digits.');
  const byId = /^\d+$/.test(raw);
  if (!byId && !SLUG.test(raw)) {
    const hint = raw.includes('/') ? ' It looks like a URL: pass only the part after /trainees/.' : '';
    throw new TraineeNotFoundError(`"${raw}" is not a trainee slug: a slug is 24 characters of base58 (letters and digits, no 0, O, I or l).${hint}`);
  }
  const trainee = await db
    .selectFrom('trainees')
    .selectAll()
    .where(byId ? 'id' : 'slug', '=', byId ? Number(raw) : raw)
    .executeTakeFirst();
  if (!trainee) throw new TraineeNotFoundError(`No trainee with ${byId ? 'id' : 'slug'} ${raw} in this database.`);
  return trainee;
}
