import type { RegisterDb } from '../db/connect.js';
import { sex as sexEnum, traineeState, trainingRoute } from '../db/enums.js';
import { planBuilder } from '../plan/builder.js';
import { FixInputError } from '../plan/errors.js';
import type { FixResult } from '../plan/fix.js';
import { parseDate, todayInUk } from './dates.js';
import { newSlug } from './slug.js';
import { registerFeatures } from '../db/versions/detect.js';

export interface PreviousTraineeInput {
  leadPartnerId: number | string;
  firstNames: string;
  middleNames?: string;
  lastName: string;
  /** `YYYY-MM-DD`. */
  dateOfBirth: string;
  email?: string;
  /** Register requires a route even on a draft. */
  trainingRoute: string;
  /** male, female, other, sex_not_provided or prefer_not_to_say (optional). */
  sex?: string;
}

/**
 * Playbook "Adding a previous trainee for a former accredited provider", as a plan: only when the lead partner's
 * name equals its provider's and that provider is no longer accredited, a `draft` trainee is created for the
 * provider with a new 24-character base58 slug. Support then liaises with the provider about the details and dates
 * (the draft may need taking all the way to awarded).
 *
 * @example
 * const fix = await previousTraineeForFormerProvider(db, { leadPartnerId: 3, firstNames: 'Robin', lastName: 'Ashby', dateOfBirth: '1994-05-17', trainingRoute: 'provider_led_postgrad' });
 */
export async function previousTraineeForFormerProvider(db: RegisterDb, input: PreviousTraineeInput): Promise<FixResult> {
  const leadPartnerId = Number(typeof input.leadPartnerId === 'string' ? input.leadPartnerId.trim() : input.leadPartnerId);
  if (!Number.isInteger(leadPartnerId) || leadPartnerId <= 0) throw new FixInputError(`leadPartnerId "${String(input.leadPartnerId)}" is not a lead partner id: expected a whole number such as 1363.`);
  const firstNames = (input.firstNames ?? '').trim().replace(/\s+/g, ' ');
  const lastName = (input.lastName ?? '').trim().replace(/\s+/g, ' ');
  const middleNames = (input.middleNames ?? '').trim().replace(/\s+/g, ' ') || null;
  if (!firstNames) throw new FixInputError('firstNames is empty: give the trainee’s first name(s).');
  if (!lastName) throw new FixInputError('lastName is empty: give the trainee’s last name.');
  const dateOfBirth = parseDate(input.dateOfBirth, 'dateOfBirth');
  if (dateOfBirth >= todayInUk()) throw new FixInputError(`dateOfBirth ${dateOfBirth} is not in the past.`);
  const email = (input.email ?? '').trim() || null;
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new FixInputError(`email "${email}" is not an e-mail address.`);
  let route: number;
  let sexValue: number | null = null;
  const routeName = (input.trainingRoute ?? '').trim();
  try {
    route = trainingRoute.toDb(trainingRoute.parse(routeName));
    if (input.sex?.trim()) sexValue = sexEnum.toDb(sexEnum.parse(input.sex.trim()));
  } catch (error) {
    throw new FixInputError((error as Error).message);
  }

  const register = await registerFeatures(db);
  const noun = register.partners.noun;
  if (!register.routes.includes(routeName)) {
    throw new FixInputError(`Training route "${routeName}" does not exist in this Register (${register.label}). Valid routes here: ${register.routes.join(', ')}.`);
  }
  const partner = await db.selectFrom(register.partners.table as 'lead_partners').selectAll().where('id', '=', leadPartnerId).executeTakeFirst();
  if (!partner) throw new FixInputError(`No ${noun} with id ${leadPartnerId} in this database.`);
  if (partner.provider_id === null) throw new FixInputError(`${noun === 'lead partner' ? 'Lead' : 'Training'} partner ${partner.id} (${partner.name}) has no provider: it was never an accredited provider, so this runbook does not apply.`);
  const provider = await db.selectFrom('providers').selectAll().where('id', '=', partner.provider_id).executeTakeFirstOrThrow();
  if (partner.name !== provider.name) {
    throw new FixInputError(`${noun === 'lead partner' ? 'Lead' : 'Training'} partner ${partner.id} is called "${partner.name}" but its provider ${provider.id} is "${provider.name}": the playbook only applies when the names are the same.`);
  }
  if (provider.accredited) throw new FixInputError(`Provider ${provider.id} (${provider.name}) is still accredited: add the trainee through Register as that provider instead.`);

  const possibleDuplicates = await db
    .selectFrom('trainees')
    .select(['id', 'slug', 'first_names', 'last_name', 'date_of_birth', 'state'])
    .where('provider_id', '=', provider.id)
    .where('date_of_birth', '=', dateOfBirth)
    .where((eb) => eb(eb.fn('lower', ['last_name']), '=', lastName.toLowerCase()))
    .execute();

  const slug = newSlug();
  const plan = planBuilder(`Add a draft trainee ${firstNames} ${lastName} for former provider ${provider.name}`)
    .insert(
      'trainees',
      {
        slug,
        state: traineeState.toDb('draft'),
        training_route: route,
        provider_id: provider.id,
        first_names: firstNames,
        middle_names: middleNames,
        last_name: lastName,
        date_of_birth: dateOfBirth,
        email,
        sex: sexValue,
        record_source: 'manual',
        progress: {},
      },
      { ref: 'trainee', absent: { slug }, label: `${firstNames} ${lastName}` },
    )
    .build();
  return {
    plan,
    findings: [
      { caption: noun === 'lead partner' ? 'Lead partner' : 'Training partner (lead partner)', rows: [partner] },
      { caption: 'Its provider', rows: [{ id: provider.id, name: provider.name, ukprn: provider.ukprn, accredited: provider.accredited }] },
      { caption: 'Trainees of this provider with the same date of birth and last name', rows: possibleDuplicates.map((t) => ({ ...t, state: traineeState.fromDb(t.state ?? 0) })) },
    ],
    notes: [
      ...(possibleDuplicates.length ? [{ tone: 'warn' as const, message: `${possibleDuplicates.length} trainee(s) of this provider already have this date of birth and last name: check it is not the same person before committing.` }] : []),
      { tone: 'info', message: `The new trainee will be a draft with slug ${slug} (/trainees/${slug}). Ask support to liaise with the provider so the details and dates are right; it may need taking from draft to awarded.` },
    ],
  };
}
