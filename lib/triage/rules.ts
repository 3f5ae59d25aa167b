import { parseDqtErrorMessage } from '../dqt/error.js';
import { errorClassFromStackText } from '../jobs/dead.js';

/** The playbook's kinds of DQT job failure, in the order the playbook describes them. */
export const ERROR_KINDS = [
  'server-error',
  'teacher-not-found',
  'no-qts-record',
  'no-incomplete-itt',
  'organisation-not-found',
  'already-has-qts',
  'retrieve-trn-timeout',
  'update-missing-trn',
  'rate-limited',
  'unauthorised',
  'validation',
  'unknown',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What the playbook says about one kind of failure. */
export interface PlaybookRule {
  kind: ErrorKind;
  /** The playbook's explanation in one line. */
  explanation: string;
  /** The suggested action. */
  action: string;
  /** Whether the action may be run for many jobs at once without looking at each (only re-running 500s and timeouts). */
  bulkSafe: boolean;
  /** The runbook to open, under notebooks/. */
  runbook: string;
}

export const PLAYBOOK_RULES: Record<ErrorKind, PlaybookRule> = {
  'server-error': {
    kind: 'server-error',
    explanation: 'A DQT server error: usually passing, the job succeeds when re-run.',
    action: 'Retry the job; if it fails again, speak with DQT about the trainee.',
    bulkSafe: true,
    runbook: 'dqt-errors/server-error-500',
  },
  'teacher-not-found': {
    kind: 'teacher-not-found',
    explanation: 'DQT cannot match the TRN and date of birth: the dates of birth differ, or the TRN is inactive on DQT.',
    action: 'Compare Register and DQT; align the date of birth (or ask DQT about the inactive TRN), then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/teacher-not-found-404',
  },
  'no-qts-record': {
    kind: 'no-qts-record',
    explanation: 'DQT has no QTS record for the teacher: Register and DQT disagree on the state (e.g. withdrawn on DQT, awarded on Register).',
    action: 'Check existing comms with support, then ask the provider what the state should be and correct one side.',
    bulkSafe: false,
    runbook: 'dqt-errors/no-qts-record-10006',
  },
  'no-incomplete-itt': {
    kind: 'no-incomplete-itt',
    explanation: 'DQT has no incomplete ITT record: on an award the trainee may already be awarded on DQT; on a withdraw the states differ.',
    action: 'Cross-reference with DQT; if everything matches, award on Register only; if in doubt, check with the provider.',
    bulkSafe: false,
    runbook: 'dqt-errors/no-incomplete-itt-10005',
  },
  'organisation-not-found': {
    kind: 'organisation-not-found',
    explanation: "DQT does not know the UKPRN sent (usually the degree institution's).",
    action: "Look up the degree institution's UKPRN, send it with the institution's details to DQT to add, then retry.",
    bulkSafe: false,
    runbook: 'dqt-errors/organisation-not-found',
  },
  'already-has-qts': {
    kind: 'already-has-qts',
    explanation: 'The update reached DQT after the award: DQT no longer accepts updates once QTS/EYTS is recorded (a race).',
    action: 'Compare Register and DQT; with no differences delete the failed update; otherwise speak to DQT.',
    bulkSafe: false,
    runbook: 'dqt-errors/already-has-qts',
  },
  'retrieve-trn-timeout': {
    kind: 'retrieve-trn-timeout',
    explanation: 'Polling for the TRN timed out (4 days after submission) before DQT assigned one.',
    action: 'Ask DQT why the TRN is taking long; if there is no issue, start polling again with a new timeout.',
    bulkSafe: true,
    runbook: 'dqt-errors/retrieve-trn-timeout',
  },
  'update-missing-trn': {
    kind: 'update-missing-trn',
    explanation: 'An update was sent before Register had a TRN for the trainee.',
    action: 'If DQT does not know the trainee, register them again and poll; if it does, poll for the TRN.',
    bulkSafe: false,
    runbook: 'dqt-errors/update-missing-trn',
  },
  'rate-limited': {
    kind: 'rate-limited',
    explanation: 'DQT refused the call for too many requests (429).',
    action: 'Wait, then retry a few at a time.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
  },
  unauthorised: {
    kind: 'unauthorised',
    explanation: 'DQT refused the API key (401) or the key lacks a role (403).',
    action: 'Fix the DQT API key configuration, then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
  },
  validation: {
    kind: 'validation',
    explanation: 'DQT rejected the payload with a validation error not covered by the playbook.',
    action: 'Read the validation messages, correct the trainee record, then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
  },
  unknown: {
    kind: 'unknown',
    explanation: 'Not one of the playbook errors.',
    action: 'Read the raw error and stack trace.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
  },
};

export interface Classification {
  kind: ErrorKind;
  status: number | null;
  errorCode: number | null;
  /** The exception class as Register names it, e.g. `Dqt::Client::HttpError`. */
  errorClass: string | null;
  /** Status, errorCode or validation key, with ids and dates normalised away: jobs with the same fingerprint failed the same way. */
  fingerprint: string;
  /** The parsed body when it was JSON, else the raw text. */
  detail: string;
}

const TIMEOUT = /^(Dqt::RetrieveTrnJob) for Trainee id: \d+ has timed out after \d+ days/;
const MISSING_TRN = /^Cannot update trainee on DQT without a trn \(id: \d+\)/;

/** Normalises ids, TRNs, uuids and dates out of free text so that similar errors group together. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g, '<date>')
    .replace(/\d+/g, '<n>')
    .slice(0, 200);
}

/**
 * Classifies one failed job by the playbook's rules, from its error message (BullMQ's `failedReason`) and, when the
 * message alone does not tell, the error class from its stack trace.
 *
 * @example
 * classifyFailure('status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}').kind // 'no-qts-record'
 */
export function classifyFailure(message: string | null, errorClassFromStack: string | null = null): Classification {
  const text = (message ?? '').trim();
  if (TIMEOUT.test(text)) {
    return { kind: 'retrieve-trn-timeout', status: null, errorCode: null, errorClass: errorClassFromStack ?? 'Dqt::RetrieveTrnJob::Timeout', fingerprint: 'timeout: RetrieveTrn', detail: text };
  }
  if (MISSING_TRN.test(text)) {
    return {
      kind: 'update-missing-trn',
      status: null,
      errorCode: null,
      errorClass: errorClassFromStack ?? 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn',
      fingerprint: 'TraineeUpdateMissingTrn',
      detail: text,
    };
  }
  const parsed = parseDqtErrorMessage(text);
  if (!parsed) {
    return { kind: 'unknown', status: null, errorCode: null, errorClass: errorClassFromStack, fingerprint: `${errorClassFromStack ?? 'Error'}: ${normaliseMessage(text)}`, detail: text };
  }
  const errorClass = errorClassFromStack ?? 'Dqt::Client::HttpError';
  const messages = Object.entries(parsed.errors).flatMap(([key, list]) => list.map((m) => ({ key, m })));
  const has = (predicate: (key: string, m: string) => boolean) => messages.some(({ key, m }) => predicate(key, m));
  const keys = Object.keys(parsed.errors).sort();
  const fingerprint = `status ${parsed.status}${parsed.errorCode ? ` errorCode ${parsed.errorCode}` : ''}${keys.length ? ` ${keys.join(',')}` : ''}`;
  let detail = parsed.body;
  try {
    detail = JSON.stringify(JSON.parse(parsed.body));
  } catch {
    /* keep the raw body */
  }
  const base = { status: parsed.status, errorCode: parsed.errorCode, errorClass, fingerprint, detail };
  if (parsed.status >= 500) return { kind: 'server-error', ...base };
  if (parsed.status === 429) return { kind: 'rate-limited', ...base };
  if (parsed.status === 401 || parsed.status === 403) return { kind: 'unauthorised', ...base };
  if (parsed.errorCode === 10001 || parsed.status === 404) return { kind: 'teacher-not-found', ...base };
  if (parsed.errorCode === 10006 || has((_, m) => m === 'Teacher has no QTS record')) return { kind: 'no-qts-record', ...base };
  if (parsed.errorCode === 10005 || has((_, m) => m === 'Teacher has no incomplete ITT record')) return { kind: 'no-incomplete-itt', ...base };
  if (has((k, m) => k.toLowerCase().endsWith('providerukprn') && m === 'Organisation not found')) return { kind: 'organisation-not-found', ...base };
  if (has((_, m) => m === 'Teacher already has QTS/EYTS date')) return { kind: 'already-has-qts', ...base };
  if (parsed.status === 400 || parsed.status === 409) return { kind: 'validation', ...base };
  return { kind: 'unknown', ...base };
}

/** The exception class from a job's stored stack trace (BullMQ keeps it as JSON text: a list, the last one latest). */
export const errorClassFromStack = errorClassFromStackText;
