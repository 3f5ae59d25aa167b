/**
 * The one error type of every failed DQT call: a non-success status, a timeout, a network failure, or a
 * response of the wrong shape.
 *
 * Its message keeps Register's `Dqt::Client::HttpError` text, `status: N, body: <raw body>` (register-facts 4.1,
 * without Register's `, headers: {...}` tail, so nothing from a header can leak), because the playbook's examples,
 * the dead-job tools and `parseDqtErrorMessage` read that text. `name` is Register's class name, so a dead job's
 * stack trace starts `Dqt::Client::HttpError: status: 404, body: ...` as Sidekiq showed it.
 *
 * @example
 * try { await dqt.retrieveTeacher('x3Kq...') } catch (e) {
 *   if (e instanceof DqtError && e.errorCode === 10001) ...   // e.status, e.title, e.errors, e.body
 * }
 * parseDqtErrorMessage('status: 400, body: {"title":"Teacher has no QTS record","status":400,"errorCode":10006}')
 * // { status: 400, errorCode: 10006, title: 'Teacher has no QTS record', errors: {}, body: '{"title":...}' }
 */
export class DqtError extends Error {
  /** HTTP status; 0 when no response came (timeout, connection refused). */
  readonly status: number;
  /** DQT's `errorCode` (10001 ...) when the body has one. */
  readonly errorCode: number | null;
  /** `title` of the problem body, when there is one. */
  readonly title: string | null;
  /** The validation map of an ASP.NET validation problem: `{"qualification.providerUkprn": ["Organisation not found"]}`. */
  readonly errors: Readonly<Record<string, string[]>>;
  /** The response body exactly as received ('' for none). */
  readonly body: string;
  /** What went wrong in words a support developer can act on (also for statuses without a body). */
  readonly explanation: string;

  /** `http`: DQT answered with a failure status; `timeout`; `network` (refused, reset); `shape`: a 2xx whose JSON is not what DQT sends. */
  readonly kind: 'http' | 'timeout' | 'network' | 'shape';

  /**
   * An HTTP failure: `new DqtError(404, body)`. Other kinds pass `kind` and their own `message`
   * (they have no status line to keep).
   */
  constructor(
    status: number,
    body: string,
    options: { kind?: 'http' | 'timeout' | 'network' | 'shape'; message?: string; explanation?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? `status: ${status}, body: ${body}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Dqt::Client::HttpError';
    this.kind = options.kind ?? 'http';
    const parsed = parseBody(body);
    this.status = status;
    this.body = body;
    this.errorCode = parsed.errorCode;
    this.title = parsed.title;
    this.errors = parsed.errors;
    this.explanation = options.explanation ?? options.message ?? explain(status, parsed);
  }

  /** Every validation message, as `key: message` lines. */
  get validationMessages(): string[] {
    return Object.entries(this.errors).flatMap(([key, messages]) => messages.map((m) => `${key}: ${m}`));
  }
}

export interface ParsedDqtError {
  status: number;
  errorCode: number | null;
  title: string | null;
  errors: Record<string, string[]>;
  /** The raw body text. */
  body: string;
}

/**
 * Reads an error message back: `status: N, body: <raw>` (ours), or Register's own
 * `status: N, body: <raw>, headers: {...}`. Returns null for any other text (e.g.
 * "Cannot update trainee on DQT without a trn (id: 5)").
 */
export function parseDqtErrorMessage(message: string): ParsedDqtError | null {
  // An empty body ends the trimmed text at "body:".
  const match = /^status: (\d{1,3}), body:(?: ([\s\S]*))?$/.exec(message.trim());
  if (!match) return null;
  let body = match[2] ?? '';
  // Register appends ", headers: {...}"; Register's own parser takes the text before it.
  const headers = body.lastIndexOf(', headers: ');
  if (headers >= 0) body = body.slice(0, headers);
  const parsed = parseBody(body);
  return { status: Number(match[1]), body, ...parsed };
}

function parseBody(body: string): { errorCode: number | null; title: string | null; errors: Record<string, string[]> } {
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : null;
  } catch {
    json = null;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { errorCode: null, title: null, errors: {} };
  const o = json as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  // Register's playbook quotes bare maps such as {"initialTeacherTraining.programmeType":["..."]}: accept both.
  const map = o.errors && typeof o.errors === 'object' ? (o.errors as Record<string, unknown>) : o;
  for (const [key, value] of Object.entries(map)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) errors[key] = value as string[];
  }
  return {
    errorCode: typeof o.errorCode === 'number' ? o.errorCode : null,
    title: typeof o.title === 'string' ? o.title : null,
    errors,
  };
}

function explain(status: number, parsed: { errorCode: number | null; title: string | null; errors: Record<string, string[]> }): string {
  const details = Object.entries(parsed.errors).map(([k, v]) => `${k}: ${v.join('; ')}`);
  const what = [parsed.title, parsed.errorCode ? `errorCode ${parsed.errorCode}` : null, ...details].filter(Boolean).join(' | ');
  switch (status) {
    case 401:
      return 'DQT refused the API key (401): DQT_API_KEY is wrong, expired or missing.';
    case 403:
      return 'DQT accepted the API key but it lacks the role this call needs (403): ask DQT to grant GetPerson / UpdatePerson to the key.';
    case 404:
      return `DQT found no matching teacher or request (404)${what ? `: ${what}` : ''}.`;
    case 409:
      return `DQT found more than one teacher (409)${what ? `: ${what}` : ''}.`;
    case 429:
      return 'DQT rate limit reached (429) and the retries allowed were used up: wait a minute and try again.';
    default:
      if (status >= 500) return `DQT failed with a server error (${status}); these usually succeed when run again.`;
      return `DQT rejected the request (${status})${what ? `: ${what}` : ''}.`;
  }
}

/** Register's `Dqt::TraineeUpdate::TraineeUpdateMissingTrn`: an update was attempted before the trainee had a TRN. */
export class TraineeUpdateMissingTrn extends Error {
  constructor(traineeId: number) {
    super(`Cannot update trainee on DQT without a trn (id: ${traineeId})`);
    this.name = 'Dqt::TraineeUpdate::TraineeUpdateMissingTrn';
  }
}

/** Register's `Dqt::RecommendForAward::TraineeAwardMissingTrn`. */
export class TraineeAwardMissingTrn extends Error {
  constructor(traineeId: number) {
    super(`Cannot recommend for award without a trn (id: ${traineeId})`);
    this.name = 'Dqt::RecommendForAward::TraineeAwardMissingTrn';
  }
}

/** Register's `Dqt::FindTeacher::Error`: find returned no teacher, or several. */
export class FindTeacherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Dqt::FindTeacher::Error';
  }
}
