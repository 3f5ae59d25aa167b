import { parseTrsErrorMessage, type ParsedTrsError } from '../trs/error.js';
import type { ErrorKind } from '../triage/rules.js';

/**
 * The kinds of TRS-era failure that have no DQT-era counterpart, each with a runbook of its own:
 * `trn-request-rejected` (TRN polling got 400/10062: TRS rejected the request or left it dormant), `eyts-holder`
 * (400/10057: TRS refuses personal-data changes to an EYTS holder), `trs-route-rejected` (a 400 validation of the route
 * PUT: 10043, 10045, 10047, 10049, 10051, 10054).
 */
export const TRS_ONLY_KINDS = ['trn-request-rejected', 'eyts-holder', 'trs-route-rejected'] as const;
export type TrsOnlyKind = (typeof TRS_ONLY_KINDS)[number];

/** What an investigation is about: a playbook kind, or one of the TRS era's own. */
export type InvestigationKind = ErrorKind | TrsOnlyKind;

/** TRS's route-PUT validation codes that `trs-route-rejected` covers (10048 is organisation-not-found's). */
export const TRS_ROUTE_REJECTION_CODES = [10043, 10045, 10047, 10049, 10051, 10054] as const;

/** Register's wrappers around a `Trs::Client::HttpError` message, and the call each belongs to. */
const WRAPPERS: readonly { prefix: string; call: 'personalData' | 'route' }[] = [
  { prefix: 'Error updating personal data: ', call: 'personalData' },
  { prefix: 'Error updating professional status: ', call: 'route' },
];

export interface TrsFailure {
  kind: InvestigationKind;
  /** Which TRS call failed, when the message tells. */
  call: 'personalData' | 'route' | 'trnRequest' | null;
  http: ParsedTrsError | null;
}

const TIMEOUT = /^Trs::RetrieveTrnJob for Trainee with slug: \S+ has timed out after \d+ days\./;
const MISSING_TRN = /^Cannot update (professional status|person personal data) on TRS without a TRN/;

/**
 * Classifies a TRS-era dead job's message (Register's texts, `lib/trs/register-errors.ts`) by the runbook that handles
 * it. A seam: the triage's TRS rules (`lib/triage`) will classify the same texts; until they do, the investigations use
 * this.
 *
 * @example
 * classifyTrsFailure('Error updating personal data: status: 400, body: {"errorCode":10057,…}').kind // 'eyts-holder'
 */
export function classifyTrsFailure(message: string | null, jobName: string | null = null): TrsFailure {
  let text = (message ?? '').trim();
  if (TIMEOUT.test(text)) return { kind: 'retrieve-trn-timeout', call: 'trnRequest', http: null };
  if (MISSING_TRN.test(text)) return { kind: 'update-missing-trn', call: /professional status/.test(text) ? 'route' : 'personalData', http: null };
  let call: TrsFailure['call'] = jobName === 'Trs::RetrieveTrnJob' || jobName === 'Trs::RegisterForTrnJob' ? 'trnRequest' : null;
  for (const w of WRAPPERS) {
    if (text.startsWith(w.prefix)) {
      text = text.slice(w.prefix.length);
      call = w.call;
    }
  }
  const http = parseTrsErrorMessage(text);
  if (!http) return { kind: 'unknown', call, http: null };
  const code = http.errorCode;
  const kind: InvestigationKind =
    http.status >= 500
      ? 'server-error'
      : http.status === 429
        ? 'rate-limited'
        : http.status === 401 || http.status === 403
          ? 'unauthorised'
          : code === 10062
            ? 'trn-request-rejected'
            : code === 10057
              ? 'eyts-holder'
              : code === 10001 || code === 10058 || code === 10059 || http.status === 404
                ? 'teacher-not-found'
                : code === 10048
                  ? 'organisation-not-found'
                  : code === 10052 || code === 10042
                    ? 'already-has-qts'
                    : code === 10055 || code === 10056
                      ? 'no-qts-record'
                      : code !== null && (TRS_ROUTE_REJECTION_CODES as readonly number[]).includes(code)
                        ? 'trs-route-rejected'
                        : http.status === 400 || http.status === 409
                          ? 'validation'
                          : 'unknown';
  return { kind, call, http };
}
