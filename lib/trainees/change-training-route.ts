import type { RegisterDb } from '../db/connect.js';
import { COMPLETE_STATES, courseEducationPhase, isEarlyYearsRoute, trainingRoute, type TrainingRoute } from '../db/enums.js';
import type { TraineeProgress } from '../db/schema.js';
import { canEnqueueJobs } from '../plan/actions.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import type { RowValues } from '../plan/types.js';
import { addDqtUpdate } from './dqt-update.js';
import { fullName, stateName, traineeForFix, traineeSummary } from './lookup.js';
import { registerFeatures } from '../db/versions/detect.js';

/** The fields RouteDataManager empties on every route change (register-facts 3), by group. */
export const ROUTE_RESET_FIELDS = {
  course: ['course_uuid', 'course_education_phase', 'course_subject_one', 'course_subject_two', 'course_subject_three', 'course_min_age', 'course_max_age', 'itt_start_date', 'itt_end_date', 'study_mode'],
  funding: ['training_initiative', 'applying_for_bursary', 'applying_for_scholarship', 'applying_for_grant', 'bursary_tier'],
  placements: ['placement_detail'],
} as const;

export interface ChangeTrainingRouteInput {
  slug: string;
  route: string;
  /** Enqueue `Dqt::UpdateTraineeJob` after the commit (default false, as the playbook's console recipe). */
  updateDqt?: boolean;
}

/**
 * Playbook "Changing training route": what Register's `RouteDataManager#update_training_route!` does, as a plan.
 * On a real change of route it empties the course, funding and placement fields, deletes the trainee's placements
 * (destroy audits, as Rails' `has_many` assignment does; the commit is refused if the trainee's placements are not
 * exactly those previewed), sets the progress flags course_details, funding and
 * placements to false for a draft only, and for an early-years route sets the early-years course defaults
 * (subject "early years teaching", ages 0 to 5, phase early_years). Rails' manager saves nothing; here the plan
 * is committed with an audit comment, and with `updateDqt` the DQT update job is enqueued afterwards.
 *
 * @example
 * const fix = await changeTrainingRoute(db, { slug: 'P897V7tpB2zH75Fow7Kx7hEE', route: 'school_direct_salaried' });
 * showFindings(fix); showPlan(fix.plan);
 */
export async function changeTrainingRoute(db: RegisterDb, input: ChangeTrainingRouteInput): Promise<FixResult> {
  const route: TrainingRoute = parseRoute(input.route);
  if (input.updateDqt && !canEnqueueJobs()) {
    throw new FixInputError('updateDqt = true is not available yet: this toolkit cannot enqueue Register jobs until the job queue library is installed. Set updateDqt = false and update DQT by hand after the commit.');
  }
  const trainee = await traineeForFix(db, input.slug);
  const register = await registerFeatures(db);
  if (!register.routes.includes(route)) {
    throw new FixInputError(`Training route "${route}" does not exist in this Register (${register.label}). Valid routes here: ${register.routes.join(', ')}.`);
  }
  const placements = await db.selectFrom('placements').selectAll().where('trainee_id', '=', trainee.id).orderBy('id').execute();
  const current = trainee.training_route === null ? null : trainingRoute.fromDb(trainee.training_route);
  const changing = current !== route;
  const notes: FixResult['notes'] = [];

  const expected: RowValues<'trainees'> = { training_route: trainee.training_route, state: trainee.state };
  const values: RowValues<'trainees'> = { training_route: trainingRoute.toDb(route) };
  const builder = planBuilder(`Change training route of ${trainee.slug} from ${current ?? 'none'} to ${route}`);

  if (changing) {
    for (const field of [...ROUTE_RESET_FIELDS.course, ...ROUTE_RESET_FIELDS.funding, ...ROUTE_RESET_FIELDS.placements]) {
      (expected as Record<string, unknown>)[field] = trainee[field];
      (values as Record<string, unknown>)[field] = null;
    }
    if (stateName(trainee) === 'draft') {
      const progress: TraineeProgress = { ...(trainee.progress ?? {}), course_details: false, funding: false, placements: false };
      expected.progress = trainee.progress;
      values.progress = progress;
    }
  } else {
    notes.push({ tone: 'info', message: `The trainee is already on ${route}: Register resets nothing for the same route${isEarlyYearsRoute(route) ? ' (only the early-years course defaults are applied)' : ''}.` });
  }
  if (isEarlyYearsRoute(route)) {
    Object.assign(expected, pick(trainee, ['course_subject_one', 'course_min_age', 'course_max_age', 'course_education_phase']));
    Object.assign(values, { course_subject_one: 'early years teaching', course_min_age: 0, course_max_age: 5, course_education_phase: courseEducationPhase.toDb('early_years') });
    notes.push({ tone: 'info', message: 'Early-years route: Register also sets the course allocation subject to the early-years one; this toolkit has no allocation subjects table, so course_allocation_subject_id is left as it is. Check it in Register after the commit.' });
  }
  builder.update('trainees', trainee.id, expected, values, fullName(trainee));
  if (changing) {
    for (const placement of placements) builder.delete('placements', placement.id, placement, placement.name ?? placement.urn ?? undefined);
    // A route change leaves no placement: one added after the preview would be left behind, so the commit is refused.
    builder.expectSet('placements', { trainee_id: trainee.id }, placements.map((p) => p.id), {
      label: `placements of trainee ${trainee.id} (${fullName(trainee)})`,
      lock: { table: 'trainees', ids: [trainee.id] },
    });
  }

  if (changing && COMPLETE_STATES.includes(stateName(trainee))) {
    notes.push({ tone: 'warn', message: `The trainee is ${stateName(trainee)}: Register allows the route change, but DQT keeps the route of the ${stateName(trainee) === 'withdrawn' ? 'withdrawn' : 'recommended or awarded'} training. Check with support that the change is really wanted.` });
  }
  if (input.updateDqt) addDqtUpdate(builder, notes, trainee);
  else if (changing) notes.push({ tone: 'warn', message: 'DQT is not updated by this change (updateDqt = false), as with the playbook recipe. If DQT must know the new route, set updateDqt = true or update DQT by hand.' });
  if (changing) notes.push({ tone: 'info', message: 'Ask support to tell the provider to fill in the emptied course, funding and placement details again.' });

  return {
    plan: builder.build(),
    findings: [
      { caption: 'Trainee', rows: [traineeSummary(trainee)] },
      { caption: 'Placements (deleted by a route change)', rows: placements.map((p) => ({ id: p.id, school_id: p.school_id, urn: p.urn, name: p.name })) },
    ],
    notes,
  };
}

function parseRoute(input: unknown): TrainingRoute {
  try {
    return trainingRoute.parse(typeof input === 'string' ? input.trim() : input);
  } catch (error) {
    throw new FixInputError((error as Error).message);
  }
}

function pick<T extends object, K extends keyof T>(row: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<T, K>;
}

