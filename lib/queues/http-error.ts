import { parseRubyInspect } from './ruby-inspect.js';

/**
 * The HTTP failure inside a Register error message. Register's API clients (`Dqt::Client`, `Trs::Client`) raise
 * `HttpError` with `status: <code>, body: <raw body>, headers: <HTTParty headers, Ruby inspect>`, and some services wrap
 * it with a prefix ("Error updating professional status: status: 400, body: …"). Like Register's own parser, the body
 * is the text between `body: ` and the last `, headers: `.
 *
 * @example
 * parseHttpErrorMessage('Error updating professional status: status: 400, body: {"errorCode":10048}, headers: {"date" => ["…"]}')
 * // { prefix: 'Error updating professional status: ', status: 400, body: '{"errorCode":10048}', json: { errorCode: 10048 },
 * //   headers: { date: ['…'] }, headersText: '{"date" => ["…"]}' }
 */
export interface HttpErrorMessage {
  /** Text before `status:` (empty for a bare HttpError). */
  prefix: string;
  status: number;
  /** The response body exactly as in the message. */
  body: string;
  /** The body parsed, when it is JSON. */
  json: unknown;
  /** The response headers (lower-cased names, each a list), when the message has them and they read. */
  headers: Record<string, string[]> | null;
  /** The headers exactly as in the message (Ruby 3.2 `{"k"=>[..]}` or 3.4 `{"k" => [..]}`). */
  headersText: string | null;
}

const STATUS = /(^|[\s:])status: (\d{3}), body:/;

export function parseHttpErrorMessage(message: string | null | undefined): HttpErrorMessage | null {
  if (!message) return null;
  const m = STATUS.exec(message);
  if (!m) return null;
  const start = m.index + m[1]!.length;
  const afterBody = start + `status: ${m[2]}, body:`.length;
  let rest = message.slice(afterBody);
  if (rest.startsWith(' ')) rest = rest.slice(1);
  const cut = rest.lastIndexOf(', headers: ');
  const body = cut >= 0 ? rest.slice(0, cut) : rest.replace(/\s+$/, '');
  const headersText = cut >= 0 ? rest.slice(cut + ', headers: '.length) : null;
  let json: unknown = null;
  try {
    json = body ? JSON.parse(body) : null;
  } catch {
    json = null;
  }
  return { prefix: message.slice(0, start), status: Number(m[2]), body, json, headers: headersText === null ? null : headersOf(headersText), headersText };
}

function headersOf(text: string): Record<string, string[]> | null {
  const parsed = parseRubyInspect(text.trim());
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    else out[k] = [typeof v === 'string' ? v : JSON.stringify(v)];
  }
  return out;
}

/**
 * The message without its `, headers: …` tail (which carries a date and so differs for every job): jobs that failed
 * the same way share it. Cheap: no parsing.
 */
export function messageWithoutHeaders(message: string): string {
  // Forwards from the body, as Register's parser reads it: the headers (often a kilobyte) are never scanned.
  const body = message.indexOf('body:');
  if (body < 0) return message;
  const cut = message.indexOf(', headers: ', body);
  return cut >= 0 ? message.slice(0, cut) : message;
}
