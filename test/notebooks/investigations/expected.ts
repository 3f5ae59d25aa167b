import { readFileSync } from 'node:fs';

/** What the notebook suites expect of the DQT-error runbooks, shared by the BullMQ and the Sidekiq runs. */

/** Every output of the executed notebook as plain text (HTML tags dropped). */
export function outputText(path: string): string {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: { outputs?: { text?: string | string[]; data?: Record<string, string | string[]> }[] }[] };
  const join = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('') : v ?? '');
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => join(o.text) + join(o.data?.['text/html']).replace(/<style>[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ') + join(o.data?.['text/plain']))
    .join('\n')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** What the diagnosis of each scenario starts with, as the runbook shows it. */
export const DIAGNOSIS: Record<string, string> = {
  'dqt-server-error-500': 'died with a DQT server error (500)',
  'dqt-teacher-not-found-dob-mismatch': 'Date of birth mismatch: Register holds 1995-03-14, DQT holds 1995-03-04',
  'dqt-teacher-not-found-inactive': 'DQT has no active teacher with TRN 3012203',
  'dqt-no-qts-record': 'State mismatch',
  'dqt-no-incomplete-itt': 'Not a plain stuck award: provider UKPRN (Register 10099001, DQT 10099002)',
  'dqt-organisation-not-found': 'DQT does not know UKPRN 10003863',
  'dqt-already-has-qts': 'Register and DQT differ (state / ITT result, QTS date)',
  'dqt-retrieve-trn-timeout': 'DQT is holding the TRN request for review',
  'dqt-update-missing-trn-known-to-dqt': 'DQT knows the trainee',
  'dqt-update-missing-trn-unknown-to-dqt': 'DQT does not know the trainee',
  'dqt-failed-update-and-award': 'Both the update',
};

