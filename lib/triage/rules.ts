import { parseDqtErrorMessage } from '../dqt/error.js';
import { errorClassFromStackText } from '../jobs/dead.js';
import { TRS_ERROR_TITLES } from '../trs/error.js';

/**
 * The playbook's kinds of job failure, in the order the playbook describes them, then the kinds Register met only
 * once it talked to TRS (`trn-request-rejected`, `eyts-holder`, `trs-route-rejected`) and a polling job's missing
 * submission time (`submitted-for-trn-at-missing`), then the generic ones.
 */
export const ERROR_KINDS = [
  'server-error',
  'teacher-not-found',
  'no-qts-record',
  'no-incomplete-itt',
  'organisation-not-found',
  'already-has-qts',
  'retrieve-trn-timeout',
  'update-missing-trn',
  'trn-request-rejected',
  'eyts-holder',
  'trs-route-rejected',
  'submitted-for-trn-at-missing',
  'rate-limited',
  'unauthorised',
  'validation',
  'unknown',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Which API Register talked to when the job ran: `Dqt::` jobs (schema 2024-08) or `Trs::` jobs (2026-08). */
export type RegisterEra = 'dqt' | 'trs';

/** What to tell a support developer about a failure: why it happened and what to do. */
export interface RuleWording {
  /** The explanation in one line. */
  explanation: string;
  /** The suggested action. */
  action: string;
}

/** What the playbook says about one kind of failure. */
export interface PlaybookRule extends RuleWording {
  kind: ErrorKind;
  /** Whether the action may be run for many jobs at once without looking at each (only re-running 500s and timeouts). */
  bulkSafe: boolean;
  /** The runbook to open, under notebooks/. */
  runbook: string;
  /**
   * The same rule for a `Trs::` job: TRS's codes, TRS's names. `explanation` and `action` above are the DQT era's
   * (the playbook's own words); for the kinds only TRS produces both are the TRS text.
   */
  trs: RuleWording;
}

/** A rule whose words are the same in both eras (the kinds only TRS produces). */
const trsOnly = (rule: Omit<PlaybookRule, 'trs'>): PlaybookRule => ({ ...rule, trs: { explanation: rule.explanation, action: rule.action } });

export const PLAYBOOK_RULES: Record<ErrorKind, PlaybookRule> = {
  'server-error': {
    kind: 'server-error',
    explanation: 'A DQT server error: usually passing, the job succeeds when re-run.',
    action: 'Retry the job; if it fails again, speak with DQT about the trainee.',
    bulkSafe: true,
    runbook: 'dqt-errors/server-error-500',
    trs: {
      explanation: 'A TRS server error: usually passing, the job succeeds when re-run.',
      action: 'Retry the job; if it fails again, speak with TRS about the trainee.',
    },
  },
  'teacher-not-found': {
    kind: 'teacher-not-found',
    explanation: 'DQT cannot match the TRN and date of birth: the dates of birth differ, or the TRN is inactive on DQT.',
    action: 'Compare Register and DQT; align the date of birth (or ask DQT about the inactive TRN), then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/teacher-not-found-404',
    trs: {
      explanation: 'TRS has no active person with the TRN Register holds (404, 10001): the TRN is wrong on Register, or the TRS record was deactivated (10058) or merged into another (10059).',
      action: 'Look the TRN up on TRS; correct the TRN on Register (for a merged record, the TRN it was merged into) or ask TRS about the deactivated record, then retry.',
    },
  },
  'no-qts-record': {
    kind: 'no-qts-record',
    explanation: 'DQT has no QTS record for the teacher: Register and DQT disagree on the state (e.g. withdrawn on DQT, awarded on Register).',
    action: 'Check existing comms with support, then ask the provider what the state should be and correct one side.',
    bulkSafe: false,
    runbook: 'dqt-errors/no-qts-record-10006',
    trs: {
      explanation: "TRS holds the trainee's route in a status that refuses Register's change (10055: Failed on TRS; 10056: Withdrawn on TRS, and Register sent Deferred): Register and TRS disagree on the state.",
      action: 'Check existing comms with support, then ask the provider what the state should be; correct Register, or ask TRS to correct the route (the API cannot reopen a failed or withdrawn route).',
    },
  },
  'no-incomplete-itt': {
    kind: 'no-incomplete-itt',
    explanation: 'DQT has no incomplete ITT record: on an award the trainee may already be awarded on DQT; on a withdraw the states differ.',
    action: 'Cross-reference with DQT; if everything matches, award on Register only; if in doubt, check with the provider.',
    bulkSafe: false,
    runbook: 'dqt-errors/no-incomplete-itt-10005',
    trs: {
      explanation: "TRS has no counterpart of DQT's 10005: its route PUT creates the route when it is missing. An award that TRS already holds comes back as 10052 (ignored by Register).",
      action: 'Compare Register and TRS; if TRS already holds the award, award on Register only; if in doubt, check with the provider.',
    },
  },
  'organisation-not-found': {
    kind: 'organisation-not-found',
    explanation: "DQT does not know the UKPRN sent (usually the degree institution's).",
    action: "Look up the degree institution's UKPRN, send it with the institution's details to DQT to add, then retry.",
    bulkSafe: false,
    runbook: 'dqt-errors/organisation-not-found',
    trs: {
      explanation: "TRS does not know the training provider's UKPRN sent with the route (400, 10048 \"Invalid training provider UKPRN\"): with TRS it is the provider's UKPRN, not a degree institution's.",
      action: "Check the provider's UKPRN on Register (UKRLP); if it is right, ask TRS to add the training provider with its UKPRN and name, then retry. Degree institutions play no part with TRS.",
    },
  },
  'already-has-qts': {
    kind: 'already-has-qts',
    explanation: 'The update reached DQT after the award: DQT no longer accepts updates once QTS/EYTS is recorded (a race).',
    action: 'Compare Register and DQT; with no differences delete the failed update; otherwise speak to DQT.',
    bulkSafe: false,
    runbook: 'dqt-errors/already-has-qts',
    trs: {
      explanation: 'The update reached TRS after the route was awarded (10052 "Route to professional status already awarded"): TRS accepts no API changes to an awarded route. Register normally treats 10052 as success.',
      action: 'Compare Register and TRS; with no differences delete the failed job; otherwise ask TRS to correct the record (awarded routes change only in the TRS console).',
    },
  },
  'retrieve-trn-timeout': {
    kind: 'retrieve-trn-timeout',
    explanation: 'Polling for the TRN timed out (4 days after submission) before DQT assigned one.',
    action: 'Ask DQT why the TRN is taking long; if there is no issue, start polling again with a new timeout.',
    bulkSafe: true,
    runbook: 'dqt-errors/retrieve-trn-timeout',
    trs: {
      explanation: 'Polling for the TRN timed out (4 days after submission; 10 in October) before TRS assigned one: TRS usually holds such a request as a potential duplicate for review.',
      action: 'Ask TRS why the TRN is taking long (check the request on TRS); if there is no issue, start polling again with a new timeout.',
    },
  },
  'update-missing-trn': {
    kind: 'update-missing-trn',
    explanation: 'An update was sent before Register had a TRN for the trainee.',
    action: 'If DQT does not know the trainee, register them again and poll; if it does, poll for the TRN.',
    bulkSafe: false,
    runbook: 'dqt-errors/update-missing-trn',
    trs: {
      explanation: 'An update (personal data or professional status) was sent to TRS before Register had a TRN for the trainee.',
      action: 'If TRS does not know the trainee (no TRN request, or it failed), register them again and poll; if it does, poll for the TRN.',
    },
  },
  'trn-request-rejected': trsOnly({
    kind: 'trn-request-rejected',
    explanation: 'TRS will not give a TRN for this request (400, 10062 "Unsupported TRN request status"): TRS rejected the TRN request after review (usually as a duplicate of an existing record) or marked it dormant, so polling died.',
    action: 'Ask TRS why the request was rejected; if the trainee already has a TRN, record it on Register; otherwise correct the details and register the trainee again with a new request. Retrying the poll fails the same way.',
    bulkSafe: false,
    runbook: 'dqt-errors/trn-request-rejected-10062',
  }),
  'eyts-holder': trsOnly({
    kind: 'eyts-holder',
    explanation: 'TRS refuses personal-data changes for a person who holds EYTS (400, 10057): Register ignores the QTS equivalents (10041, 10042) but not this one, so the update died.',
    action: 'Compare Register and TRS: if the personal data matches, delete the failed job; if it differs, ask TRS to change the record. Check why an EYTS holder is in training on Register.',
    bulkSafe: false,
    runbook: 'dqt-errors/eyts-holder-10057',
  }),
  'trs-route-rejected': trsOnly({
    kind: 'trs-route-rejected',
    explanation: 'TRS rejected the route Register sent with the professional status (400): a route type, subject, age range, country or degree type TRS does not accept, or a change of route TRS does not allow through its API.',
    action: 'Read the error detail: correct the route, subjects, country or degree on Register, or ask TRS to change what the API cannot (route type changes, 10051 and 10054); then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/trs-route-rejected',
  }),
  'submitted-for-trn-at-missing': {
    kind: 'submitted-for-trn-at-missing',
    explanation: "TRN polling (RetrieveTrnJob::TraineeAttributeError) stopped because the trainee has no submitted_for_trn_at, so Register cannot tell when polling should time out; DQT's TRN request itself may be fine.",
    action: 'Set submitted_for_trn_at to when the trainee was submitted for TRN (the TRN request\'s created_at or the state audit), then start polling again with a new timeout.',
    bulkSafe: false,
    runbook: 'dqt-errors/retrieve-trn-timeout',
    trs: {
      explanation: "TRN polling (Trs::RetrieveTrnJob::TraineeAttributeError) stopped because the trainee has no submitted_for_trn_at, so Register cannot tell when polling should time out; TRS's TRN request itself may be fine.",
      action: 'Set submitted_for_trn_at to when the trainee was submitted for TRN (the TRN request\'s created_at or the state audit), then start polling again with a new timeout.',
    },
  },
  'rate-limited': {
    kind: 'rate-limited',
    explanation: 'DQT refused the call for too many requests (429).',
    action: 'Wait, then retry a few at a time.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
    trs: { explanation: 'TRS refused the call for too many requests (429).', action: 'Wait, then retry a few at a time.' },
  },
  unauthorised: {
    kind: 'unauthorised',
    explanation: 'DQT refused the API key (401) or the key lacks a role (403).',
    action: 'Fix the DQT API key configuration, then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
    trs: { explanation: 'TRS refused the API key (401) or the key lacks a role (403).', action: 'Fix the TRS API key configuration (Settings.trs.api_key), then retry.' },
  },
  validation: {
    kind: 'validation',
    explanation: 'DQT rejected the payload with a validation error not covered by the playbook.',
    action: 'Read the validation messages, correct the trainee record, then retry.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
    trs: { explanation: 'TRS rejected the payload with a validation error not covered by the playbook.', action: 'Read the validation messages, correct the trainee record, then retry.' },
  },
  unknown: {
    kind: 'unknown',
    explanation: 'Not one of the playbook errors.',
    action: 'Read the raw error and stack trace.',
    bulkSafe: false,
    runbook: 'dqt-errors/triage-dead-jobs',
    trs: { explanation: 'Not one of the playbook errors, nor a known TRS error.', action: 'Read the raw error and stack trace.' },
  },
};

/**
 * A kind's words for an era: the playbook's (DQT) or TRS's.
 *
 * @example
 * ruleWording('organisation-not-found', 'trs').action // "Check the provider's UKPRN on Register (UKRLP); …"
 */
export function ruleWording(kind: ErrorKind, era: RegisterEra): RuleWording {
  const rule = PLAYBOOK_RULES[kind];
  return era === 'trs' ? rule.trs : { explanation: rule.explanation, action: rule.action };
}

/**
 * The era of a job from its class: `Trs::…` → `trs`, `Dqt::…` → `dqt`, anything else (Apply imports, unreadable
 * jobs) null.
 *
 * @example
 * eraOfJob('Trs::UpdateTraineeJob') // 'trs'
 */
export function eraOfJob(jobName: string | null | undefined): RegisterEra | null {
  if (!jobName) return null;
  if (jobName.startsWith('Trs::')) return 'trs';
  if (jobName.startsWith('Dqt::')) return 'dqt';
  return null;
}

/**
 * TRS's route-PUT codes that mean "TRS does not accept this route" (`SetRouteToProfessionalStatus.cs` at TRS
 * `401992997`): 10043 route type, 10045 subject, 10047 country, 10049 degree type, 10051 updates not allowed for the
 * (overseas) route type, 10054 cannot change between early-years and QTS routes. 10044 (status) and 10046 (age
 * specialism) are route codes TRS defines but does not return at that commit; they mean the same if it ever does.
 * 10048 (UKPRN) is `organisation-not-found`, 10052 `already-has-qts`, 10055/10056 `no-qts-record`.
 */
export const TRS_ROUTE_REJECTED_CODES: readonly number[] = [10043, 10044, 10045, 10046, 10047, 10049, 10051, 10054];

/** TRS codes meaning "no such active person": 10001 not found, 10058 deactivated, 10059 merged. */
export const TRS_PERSON_NOT_FOUND_CODES: readonly number[] = [10001, 10058, 10059];

export interface Classification {
  kind: ErrorKind;
  /** The era the failure belongs to: from its text when only one era writes it, else from the job's class (DQT when unknown). */
  era: RegisterEra;
  status: number | null;
  errorCode: number | null;
  /** The exception class as Register names it, e.g. `Dqt::Client::HttpError`. */
  errorClass: string | null;
  /** Status, errorCode or validation key, with ids and dates normalised away: jobs with the same fingerprint failed the same way. */
  fingerprint: string;
  /** The parsed body when it was JSON, else the raw text. */
  detail: string;
  /** Why it failed, in the era's words (for some TRS codes more precise than the kind's). */
  explanation: string;
  /** What to do, in the era's words. */
  action: string;
}

const TIMEOUT = /^(Dqt::RetrieveTrnJob) for Trainee id: \d+ has timed out after \d+ days/;
const MISSING_TRN = /^Cannot update trainee on DQT without a trn \(id: \d+\)/;

/** `NotifyOnTimeout`'s text for `Trs::RetrieveTrnJob` (the toolkit's worker dies with it). */
const TRS_TIMEOUT = /^Trs::RetrieveTrnJob for Trainee with slug: \S+ has timed out after \d+ days\.?$/;
/** The four-line `…MissingTrn` messages: first line, then slug, id and the trainee's URL. */
const TRS_MISSING_TRN: readonly { firstLine: string; errorClass: string }[] = [
  { firstLine: 'Cannot update professional status on TRS without a TRN', errorClass: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn' },
  { firstLine: 'Cannot update person personal data on TRS without a TRN', errorClass: 'Trs::UpdatePersonalData::PersonUpdateMissingTrn' },
];
/** Register's wrappers of a `Trs::Client::HttpError` message: strip the prefix, then read the HttpError. */
const TRS_WRAPPERS: readonly { prefix: string; errorClass: string }[] = [
  { prefix: 'Error updating professional status: ', errorClass: 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError' },
  { prefix: 'Error updating personal data: ', errorClass: 'Trs::UpdatePersonalData::PersonUpdateError' },
];
/** `RetrieveTrnJob::TraineeAttributeError` (the same text in both eras). */
const SUBMITTED_AT_MISSING = /^Trainee#submitted_for_trn_at is nil - it should be timestamped \(id: \d+\)$/;

/** Why 10031 is `update-missing-trn`: TRS looks a request up by its id *and* the API client that made it. */
const UNKNOWN_TRN_REQUEST: RuleWording = {
  explanation:
    "TRS has no TRN request with the id Register polls (404, 10031 \"TRN request does not exist\"): TRS finds a request by its id and the API client that made it, so the registration never reached TRS under Register's key (a lost POST, or a request made with another environment's key).",
  action: 'TRS does not know the trainee: register them again with a new TRN request and poll for the TRN (the update-missing-trn runbook, "not known to TRS").',
};

/** Normalises ids, TRNs, uuids and dates out of free text so that similar errors group together. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?/g, '<date>')
    .replace(/\d+/g, '<n>')
    .slice(0, 200);
}

/**
 * Classifies one failed job by the playbook's rules, from its error message (Sidekiq's `error_message`, BullMQ's
 * `failedReason`) and, when the message alone does not tell, the error class from its stack trace. `jobName` tells the
 * era of a message both eras write (a bare `status: …` HttpError, the TraineeAttributeError): a `Trs::` job's failure
 * is explained in TRS's terms.
 *
 * Register's TRS-era texts: `Error updating professional status: <HttpError>` and `Error updating personal data:
 * <HttpError>` (the prefix is stripped before the HttpError is read), the four-line `…MissingTrn` messages, the
 * `Trs::RetrieveTrnJob … has timed out after 4 days.` notice, and a bare HttpError from `Trs::RetrieveTrnJob`.
 *
 * @example
 * classifyFailure('status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}').kind // 'no-qts-record'
 * classifyFailure('Error updating professional status: status: 400, body: {…"errorCode":10048}').kind          // 'organisation-not-found'
 */
export function classifyFailure(message: string | null, errorClassFromStack: string | null = null, job: { jobName?: string | null } = {}): Classification {
  const text = (message ?? '').trim();
  const jobEra = eraOfJob(job.jobName);
  const worded = (kind: ErrorKind, era: RegisterEra, c: Omit<Classification, 'kind' | 'era' | 'explanation' | 'action'>, wording?: RuleWording): Classification => ({
    kind,
    era,
    ...c,
    ...(wording ?? ruleWording(kind, era)),
  });
  if (TIMEOUT.test(text)) {
    return worded('retrieve-trn-timeout', 'dqt', { status: null, errorCode: null, errorClass: errorClassFromStack ?? 'Dqt::RetrieveTrnJob::Timeout', fingerprint: 'timeout: RetrieveTrn', detail: text });
  }
  if (MISSING_TRN.test(text)) {
    return worded('update-missing-trn', 'dqt', {
      status: null,
      errorCode: null,
      errorClass: errorClassFromStack ?? 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn',
      fingerprint: 'TraineeUpdateMissingTrn',
      detail: text,
    });
  }
  if (TRS_TIMEOUT.test(text)) {
    return worded('retrieve-trn-timeout', 'trs', { status: null, errorCode: null, errorClass: errorClassFromStack ?? 'Trs::RetrieveTrnJob::Timeout' /* TRS_RETRIEVE_TRN_TIMEOUT_CLASS */, fingerprint: 'timeout: Trs::RetrieveTrn', detail: text });
  }
  const firstLine = text.split('\n', 1)[0]!;
  const missing = TRS_MISSING_TRN.find((m) => m.firstLine === firstLine);
  if (missing) {
    return worded('update-missing-trn', 'trs', { status: null, errorCode: null, errorClass: errorClassFromStack ?? missing.errorClass, fingerprint: missing.errorClass.split('::').pop()!, detail: text });
  }
  if (SUBMITTED_AT_MISSING.test(text)) {
    const era = jobEra ?? 'dqt';
    const errorClass = `${era === 'trs' ? 'Trs' : 'Dqt'}::RetrieveTrnJob::TraineeAttributeError`;
    return worded('submitted-for-trn-at-missing', era, { status: null, errorCode: null, errorClass: errorClassFromStack ?? errorClass, fingerprint: 'TraineeAttributeError: submitted_for_trn_at', detail: text });
  }
  const wrapper = TRS_WRAPPERS.find((w) => text.startsWith(w.prefix));
  const httpText = wrapper ? text.slice(wrapper.prefix.length) : text;
  const parsed = parseDqtErrorMessage(httpText);
  if (!parsed) {
    return worded('unknown', wrapper ? 'trs' : (jobEra ?? 'dqt'), { status: null, errorCode: null, errorClass: errorClassFromStack, fingerprint: `${errorClassFromStack ?? 'Error'}: ${normaliseMessage(text)}`, detail: text });
  }
  const code = parsed.errorCode;
  // TRS's own codes (10028 and up) never come from DQT, whose codes stop at 10017; 10001 is both APIs'.
  const trsCode = code !== null && code !== 10001 && TRS_ERROR_TITLES[code] !== undefined;
  const era: RegisterEra = wrapper || trsCode ? 'trs' : (jobEra ?? 'dqt');
  const errorClass = errorClassFromStack ?? wrapper?.errorClass ?? (era === 'trs' ? 'Trs::Client::HttpError' : 'Dqt::Client::HttpError');
  const messages = Object.entries(parsed.errors).flatMap(([key, list]) => list.map((m) => ({ key, m })));
  const has = (predicate: (key: string, m: string) => boolean) => messages.some(({ key, m }) => predicate(key, m));
  const keys = Object.keys(parsed.errors).sort();
  const fingerprint = `${wrapper ? `${wrapper.errorClass.split('::').pop()} ` : ''}status ${parsed.status}${parsed.errorCode ? ` errorCode ${parsed.errorCode}` : ''}${keys.length ? ` ${keys.join(',')}` : ''}`;
  let detail = parsed.body;
  try {
    detail = JSON.stringify(JSON.parse(parsed.body));
  } catch {
    /* keep the raw body */
  }
  const base = { status: parsed.status, errorCode: code, errorClass, fingerprint, detail };
  if (parsed.status >= 500) return worded('server-error', era, base);
  if (parsed.status === 429) return worded('rate-limited', era, base);
  if (parsed.status === 401 || parsed.status === 403) return worded('unauthorised', era, base);
  if (code === 10031) return worded('update-missing-trn', era, base, UNKNOWN_TRN_REQUEST);
  if (code === 10062) return worded('trn-request-rejected', era, base);
  if (code === 10057) return worded('eyts-holder', era, base);
  if (code === 10048) return worded('organisation-not-found', era, base);
  if (code === 10052) return worded('already-has-qts', era, base);
  if (code === 10055 || code === 10056) return worded('no-qts-record', era, base);
  if (code !== null && TRS_ROUTE_REJECTED_CODES.includes(code)) {
    const rule = PLAYBOOK_RULES['trs-route-rejected'];
    const title = parsed.title ?? TRS_ERROR_TITLES[code] ?? null;
    return worded('trs-route-rejected', era, base, { explanation: rule.explanation.replace(' (400):', ` (400, ${code}${title ? ` "${title.replace(/\.$/, '')}"` : ''}):`), action: rule.action });
  }
  if ((code !== null && TRS_PERSON_NOT_FOUND_CODES.includes(code)) || parsed.status === 404) return worded('teacher-not-found', era, base);
  if (code === 10006 || has((_, m) => m === 'Teacher has no QTS record')) return worded('no-qts-record', era, base);
  if (code === 10005 || has((_, m) => m === 'Teacher has no incomplete ITT record')) return worded('no-incomplete-itt', era, base);
  if (has((k, m) => k.toLowerCase().endsWith('providerukprn') && m === 'Organisation not found')) return worded('organisation-not-found', era, base);
  if (has((_, m) => m === 'Teacher already has QTS/EYTS date')) return worded('already-has-qts', era, base);
  if (parsed.status === 400 || parsed.status === 409) return worded('validation', era, base);
  return worded('unknown', era, base);
}

/** The exception class from a job's stored stack trace (BullMQ keeps it as JSON text: a list, the last one latest). */
export const errorClassFromStack = errorClassFromStackText;
