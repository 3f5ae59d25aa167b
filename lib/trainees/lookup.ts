import type { RegisterDb } from '../db/connect.js';
import { traineeState, trainingRoute, type TraineeState } from '../db/enums.js';
import { findTrainee } from '../db/lookup.js';
import type { Trainee } from '../db/schema.js';
import { displayTimestamp } from '../db/timestamp.js';
import { FixInputError } from '../plan/errors.js';

/**
 * The trainee a fix is about, by slug: refuses an empty or malformed slug, an unknown one, and a discarded
 * (deleted) trainee, and optionally a trainee not in one of `states`.
 *
 * @example
 * const trainee = await traineeForFix(db, slug, { states: ['withdrawn'], fix: 'undo a withdrawal' });
 */
export async function traineeForFix(db: RegisterDb, slug: string, options: { states?: readonly TraineeState[]; fix?: string } = {}): Promise<Trainee> {
  let trainee: Trainee;
  try {
    trainee = await findTrainee(db, slug);
  } catch (error) {
    throw new FixInputError((error as Error).message);
  }
  if (trainee.discarded_at) {
    throw new FixInputError(`Trainee ${trainee.slug} (id ${trainee.id}) was deleted (discarded at ${displayTimestamp(trainee.discarded_at)}): restore it first; this fix does not change deleted records.`);
  }
  if (options.states && !options.states.includes(stateName(trainee))) {
    throw new FixInputError(
      `Trainee ${trainee.slug} (${fullName(trainee)}) is ${stateName(trainee)}; ${options.fix ? `to ${options.fix} ` : ''}the trainee must be ${options.states.join(' or ')}. Nothing was planned.`,
    );
  }
  return trainee;
}

export function stateName(trainee: Pick<Trainee, 'state'>): TraineeState {
  return traineeState.fromDb(trainee.state ?? 0);
}

export function fullName(trainee: Pick<Trainee, 'first_names' | 'middle_names' | 'last_name'>): string {
  return [trainee.first_names, trainee.middle_names, trainee.last_name].filter(Boolean).join(' ');
}

/** The fields of a trainee a support developer checks first, as one table row. */
export function traineeSummary(trainee: Trainee): Record<string, unknown> {
  return {
    id: trainee.id,
    slug: trainee.slug,
    name: fullName(trainee),
    state: stateName(trainee),
    training_route: trainee.training_route === null ? null : trainingRoute.fromDb(trainee.training_route),
    trn: trainee.trn,
    provider_id: trainee.provider_id,
    trainee_start_date: trainee.trainee_start_date,
    updated_at: trainee.updated_at,
  };
}
