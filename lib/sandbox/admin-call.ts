import { request } from 'undici';

/**
 * One call to a sandbox server's admin endpoints (`/_sandbox/...`), shared by the DQT and TRS sandboxes' admin clients.
 * A sandbox that does not answer is named with the command that starts it; a refused call gives the server's reason.
 *
 * @example
 * await sandboxAdminCall({ name: 'TRS sandbox', url, startWith: 'support trs-sandbox' }, 'POST', '/_sandbox/reset');
 */
export async function sandboxAdminCall(
  sandbox: { name: string; url: string; startWith: string },
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await request(`${sandbox.url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  }).catch((error: Error & { code?: string }) => {
    throw new Error(`the ${sandbox.name} at ${sandbox.url} is not answering (${error.code ?? error.message}): start it with \`support sandbox\` or \`${sandbox.startWith}\``);
  });
  const text = await res.body.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (res.statusCode !== 200) throw new Error(`${sandbox.name} ${method} ${path}: ${String(json.error ?? `status ${res.statusCode}`)}`);
  return json;
}
