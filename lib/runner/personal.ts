import { connect } from '../db/connect.js';
import type { PersonalValues } from './redact-notebook.js';

/**
 * The names, dates of birth and e-mails of the trainees with these slugs, read from Register's database, so
 * `support run --redact` can mask them wherever a notebook printed them. Read only; at most 500 slugs.
 *
 * @example
 * const values = await personalValuesOf(config.database.url, ['AbC…']);
 */
export async function personalValuesOf(databaseUrl: string, slugs: string[]): Promise<PersonalValues> {
  const values: PersonalValues = { names: [], datesOfBirth: [], emails: [] };
  const wanted = [...new Set(slugs)].slice(0, 500);
  if (wanted.length === 0) return values;
  const db = connect(databaseUrl, { max: 1, applicationName: 'register-support redact' });
  try {
    const rows = await db.selectFrom('trainees').select(['first_names', 'middle_names', 'last_name', 'date_of_birth', 'email']).where('slug', 'in', wanted).execute();
    for (const r of rows) {
      for (const n of [r.first_names, r.middle_names, r.last_name]) if (n) values.names.push(n);
      if (r.date_of_birth) values.datesOfBirth.push(String(r.date_of_birth));
      if (r.email) values.emails.push(r.email);
    }
  } finally {
    await db.destroy();
  }
  return values;
}
