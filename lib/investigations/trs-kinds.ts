import { parseTrsErrorMessage, type ParsedTrsError } from '../trs/error.js';
import { classifyFailure, type ErrorKind } from '../triage/rules.js';

/**
 * What an investigation is about: one of the triage's kinds (the playbook's, and the TRS era's own:
 * `trn-request-rejected`, `eyts-holder`, `trs-route-rejected`, `submitted-for-trn-at-missing`).
 */
export type InvestigationKind = ErrorKind;

/** Register's wrappers around a `Trs::Client::HttpError` message, and the call each belongs to. */
const WRAPPERS: readonly { prefix: string; call: 'personalData' | 'route' }[] = [
  { prefix: 'Error updating personal data: ', call: 'personalData' },
  { prefix: 'Error updating professional status: ', call: 'route' },
];

export interface TrsFailure {
  /** The triage's kind (`classifyFailure`), which names the runbook. */
  kind: InvestigationKind;
  /** Which TRS call failed, when the message or the job tells. */
  call: 'personalData' | 'route' | 'trnRequest' | null;
  /** TRS's answer read back (status, errorCode, title, validation errors), when the message holds one. */
  http: ParsedTrsError | null;
}

/**
 * A TRS-era dead job's message (Register's texts, `lib/trs/register-errors.ts`) as an investigation reads it: the
 * triage's kind (`classifyFailure`, so a runbook and the triage always agree), which TRS call failed, and TRS's answer.
 *
 * @example
 * classifyTrsFailure('Error updating personal data: status: 400, body: {"errorCode":10057,…}').kind // 'eyts-holder'
 */
export function classifyTrsFailure(message: string | null, jobName: string | null = null): TrsFailure {
  const text = (message ?? '').trim();
  const { kind } = classifyFailure(text, null, { jobName });
  const firstLine = text.split('\n', 1)[0]!;
  if (kind === 'update-missing-trn' && /^Cannot update .* on TRS without a TRN/.test(firstLine)) {
    return { kind, call: firstLine.includes('professional status') ? 'route' : 'personalData', http: null };
  }
  const wrapper = WRAPPERS.find((w) => text.startsWith(w.prefix));
  const call: TrsFailure['call'] = wrapper?.call ?? (jobName === 'Trs::RetrieveTrnJob' || jobName === 'Trs::RegisterForTrnJob' || kind === 'retrieve-trn-timeout' ? 'trnRequest' : null);
  return { kind, call, http: parseTrsErrorMessage(wrapper ? text.slice(wrapper.prefix.length) : text) };
}
