import { parseDqtErrorMessage } from '../dqt/error.js';

/**
 * The one error type of every failed TRS call: a status Register does not accept, a timeout, a network failure,
 * or a 2xx of the wrong shape. Its `name` is Register's class, `Trs::Client::HttpError`, and an HTTP failure's
 * message is Register's text exactly (`app/lib/trs/client.rb`):
 * `status: 404, body: {"title":"Person not found.",...}, headers: {"content-type" => ["application/problem+json"]}`,
 * the headers being the response's, in Ruby 3.4's `Hash#inspect` form (never the request's, so never the key).
 *
 * `errorCode`, `title` and `detail` come from TRS's ProblemDetails body (`ApiError.cs`); `errors` from an ASP.NET
 * validation problem. `parseTrsErrorMessage` reads any such message back (from a dead job), and DQT's too.
 *
 * @example
 * try { await trs.getPerson('1234567') } catch (e) {
 *   if (e instanceof TrsError && e.errorCode === 10001) ...   // e.status 404, e.title 'Person not found.', e.detail "TRN: '1234567'"
 * }
 */
export class TrsError extends Error {
  /** HTTP status; 0 when no response came (timeout, connection refused). */
  readonly status: number;
  /** TRS's `errorCode` (10001 ...) when the body has one. */
  readonly errorCode: number | null;
  readonly title: string | null;
  /** ProblemDetails `detail` (e.g. "TRN: '1234567'"); null when absent. */
  readonly detail: string | null;
  /** The validation map of an ASP.NET validation problem: `{"holdsFrom": ["Holds from date cannot be in the future."]}`. */
  readonly errors: Readonly<Record<string, string[]>>;
  /** The response body exactly as received ('' for none). */
  readonly body: string;
  /** The response headers (names lower-cased), as they appear in the message. */
  readonly headers: Readonly<Record<string, string[]>>;
  /** What went wrong in words a support developer can act on. */
  readonly explanation: string;
  /** `http`: TRS answered with a failure status; `timeout`; `network` (refused, reset); `shape`: a 2xx whose JSON is not what TRS sends. */
  readonly kind: 'http' | 'timeout' | 'network' | 'shape';

  constructor(
    status: number,
    body: string,
    options: { headers?: Record<string, string | string[] | undefined>; kind?: TrsError['kind']; message?: string; explanation?: string; cause?: unknown } = {},
  ) {
    const headers = normaliseHeaders(options.headers ?? {});
    super(options.message ?? trsHttpErrorMessage(status, body, headers), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Trs::Client::HttpError';
    this.kind = options.kind ?? 'http';
    this.status = status;
    this.body = body;
    this.headers = headers;
    const parsed = parseTrsErrorMessage(`status: ${status}, body: ${body}`);
    this.errorCode = parsed?.errorCode ?? null;
    this.title = parsed?.title ?? null;
    this.detail = parsed?.detail ?? null;
    this.errors = parsed?.errors ?? {};
    this.explanation = options.explanation ?? options.message ?? explainTrs(status, this.errorCode, this.title, this.detail, this.errors);
  }

  /** Every validation message, as `key: message` lines. */
  get validationMessages(): string[] {
    return Object.entries(this.errors).flatMap(([key, messages]) => messages.map((m) => `${key}: ${m}`));
  }
}

/**
 * TRS's titles for the v3 error codes (`ApiError.cs` at TRS `401992997`; 10030 from `StringResources.resx`).
 * `{trn}` and `{mergedWithTrn}` stand for the values TRS puts in.
 */
export const TRS_ERROR_TITLES: Readonly<Record<number, string>> = {
  10001: 'Person not found.',
  10028: 'The specified resource does not exist.',
  10029: 'TRN request has already been created.',
  10030: 'Unable to set QTLS date',
  10031: 'TRN request does not exist.',
  10032: 'Unexpected induction status.',
  10033: 'Request is stale.',
  10034: 'Person does not have QTS.',
  10035: 'Invalid induction status.',
  10036: 'Induction start date is required.',
  10037: 'Induction completed date is required.',
  10038: 'Induction start date is not permitted.',
  10039: 'Induction completed date is not permitted.',
  10040: 'Forbidden.',
  10041: 'Updates to PII data is not permitted.',
  10042: 'Updates to PII data is not permitted. Person has QTS.',
  10043: 'Invalid route type.',
  10044: 'Invalid professional status status.',
  10045: 'Invalid training subject reference.',
  10046: 'Invalid training age specialism.',
  10047: 'Invalid training country reference.',
  10048: 'Invalid training provider UKPRN.',
  10049: 'Invalid degree type.',
  10050: 'Invalid induction exemption reason.',
  10051: 'Updates not allowed for route type.',
  10052: 'Route to professional status already awarded.',
  10053: 'Multiple QTS records found.',
  10054: 'Unable to change route type.',
  10055: 'Unable to change fail professional status status.',
  10056: 'Unable to change withdrawn professional status status.',
  10057: 'Updates to PII data is not permitted. Person has EYTS.',
  10058: 'Record {trn} is not active.',
  10059: 'Record {trn} has been merged with {mergedWithTrn}.',
  10060: 'An open name change request already exists.',
  10061: 'An open date of birth change request already exists.',
  10062: 'Unsupported TRN request status.',
};

/** A TRS error code's title with its values put in: `trsErrorTitle(10058, { trn: '1234567' })`. */
export function trsErrorTitle(errorCode: number, values: { trn?: string; mergedWithTrn?: string } = {}): string | null {
  const template = TRS_ERROR_TITLES[errorCode];
  if (!template) return null;
  return template.replace('{trn}', values.trn ?? '{trn}').replace('{mergedWithTrn}', values.mergedWithTrn ?? '{mergedWithTrn}');
}

export interface ParsedTrsError {
  status: number;
  errorCode: number | null;
  title: string | null;
  detail: string | null;
  errors: Record<string, string[]>;
  /** The raw body text (without Register's `, headers: ...` tail). */
  body: string;
}

/**
 * Reads a TRS (or DQT) error message back: `status: N, body: <raw>` with or without Register's
 * `, headers: {...}` tail. Null for any other text (e.g. a `...MissingTrn` message). The status line and body
 * parsing are DQT's (`parseDqtErrorMessage`), so both eras read the same way.
 */
export function parseTrsErrorMessage(message: string): ParsedTrsError | null {
  const parsed = parseDqtErrorMessage(message);
  if (!parsed) return null;
  let detail: string | null = null;
  try {
    const json = parsed.body ? (JSON.parse(parsed.body) as unknown) : null;
    if (json && typeof json === 'object' && typeof (json as { detail?: unknown }).detail === 'string') detail = (json as { detail: string }).detail;
  } catch {
    /* not JSON: no detail */
  }
  return { status: parsed.status, errorCode: parsed.errorCode, title: parsed.title, detail, errors: parsed.errors, body: parsed.body };
}

/** Register's `Trs::Client::HttpError` message: `status: N, body: <raw>, headers: <Ruby Hash#inspect of the response headers>`. */
export function trsHttpErrorMessage(status: number, body: string, headers: Record<string, string[]> = {}): string {
  return `status: ${status}, body: ${body}, headers: ${rubyHashInspect(headers)}`;
}

/** Ruby 3.4's `Hash#inspect` of a header hash: `{"content-type" => ["application/json"]}`, `{}` when empty. */
export function rubyHashInspect(headers: Record<string, string[]>): string {
  const entries = Object.entries(headers).map(([k, values]) => `${rubyString(k)} => [${values.map(rubyString).join(', ')}]`);
  return `{${entries.join(', ')}}`;
}

function rubyString(value: string): string {
  return JSON.stringify(value).replace(/#([{$@])/g, '\\#$1');
}

function normaliseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value : [value];
  }
  return out;
}

function explainTrs(status: number, errorCode: number | null, title: string | null, detail: string | null, errors: Record<string, string[]>): string {
  const details = Object.entries(errors).map(([k, v]) => `${k}: ${v.join('; ')}`);
  const what = [title, errorCode ? `errorCode ${errorCode}` : null, detail || null, ...details].filter(Boolean).join(' | ');
  switch (status) {
    case 401:
      return 'TRS refused the API key (401): TRS_API_KEY is wrong, expired or missing.';
    case 403:
      return 'TRS accepted the API key but it lacks the role this call needs (403): ask TRS to grant it (CreateTrn, UpdatePerson, SetProfessionalStatus, GetPerson).';
    case 404:
      return what
        ? `TRS found no such record or request (404): ${what}.`
        : 'TRS answered 404 with no body: the route does not exist at this X-Api-Version (check TRS_API_VERSION) or the URL is wrong.';
    case 409:
      return `TRS refused a duplicate (409)${what ? `: ${what}` : ''}.`;
    case 429:
      return 'TRS rate limit reached (429) and the retries allowed were used up: wait a minute and try again.';
    default:
      if (status >= 500) return `TRS failed with a server error (${status}); these usually succeed when run again.`;
      return `TRS rejected the request (${status})${what ? `: ${what}` : ''}.`;
  }
}
