import { sandboxAdminCall } from '../../sandbox/admin-call.js';
import type { Config } from '../../config/env.js';
import type { Fault } from './server.js';
import type { SandboxTeacher, SandboxTeacherInput } from './records.js';

/**
 * The DQT sandbox's admin endpoints (`/_sandbox/...`) as calls, for tests, training and runbooks that show the
 * DQT side of a fix (e.g. "DQT adds the UKPRN", "DQT's QTS unit resolves the pending TRN request").
 * Refuses to exist for a real DQT: admin calls only ever go to the sandbox.
 *
 * @example
 * const sandbox = dqtSandboxAdmin(loadConfig());
 * await sandbox.addOrganisation('10003863');                 // DQT has added Leeds Trinity University
 * await sandbox.releaseTrnRequest(requestId);                // the pending request gets a TRN
 * await sandbox.injectFault({ path: '/v2/teachers/update/3012201', kind: '500', count: 1 });
 */
export class DqtSandboxAdmin {
  constructor(readonly url: string) {}

  #call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    return sandboxAdminCall({ name: 'DQT sandbox', url: this.url, startWith: 'support dqt-sandbox' }, method, path, body);
  }

  /** Back to the seeded state, with no faults. */
  async reset(): Promise<void> {
    await this.#call('POST', '/_sandbox/reset');
  }
  /** Adds or replaces a teacher record (the GET /v2/teachers/{trn} shape plus `active`). */
  async putTeacher(teacher: SandboxTeacherInput): Promise<SandboxTeacher> {
    return (await this.#call('POST', '/_sandbox/teachers', teacher)) as SandboxTeacher;
  }
  /** Every person the sandbox holds with this TRN, inactive ones too. */
  async teachers(trn: string): Promise<SandboxTeacher[]> {
    return (await this.#call('GET', `/_sandbox/teachers/${encodeURIComponent(trn)}`)) as SandboxTeacher[];
  }
  /** Completes a pending TRN request: a new TRN, or onto an existing one. */
  async releaseTrnRequest(requestId: string, trn?: string): Promise<{ requestId: string; status: string; trn: string | null }> {
    return (await this.#call('POST', `/_sandbox/trn-requests/${encodeURIComponent(requestId)}/release`, trn ? { trn } : {})) as { requestId: string; status: string; trn: string | null };
  }
  /** DQT adds an organisation (what DQT does when support sends them a UKPRN), or forgets it. */
  async addOrganisation(ukprn: string, known = true): Promise<void> {
    await this.#call('POST', '/_sandbox/organisations', { ukprn, known });
  }
  /** The next `count` calls to `path` answer 500, 429 or hang. */
  async injectFault(fault: Fault): Promise<void> {
    await this.#call('POST', '/_sandbox/faults', fault);
  }
  async clearFaults(): Promise<void> {
    await this.#call('DELETE', '/_sandbox/faults');
  }
}

/** The admin of the configured DQT sandbox; throws when DQT_API_URL points at a real DQT. */
export function dqtSandboxAdmin(config: Pick<Config, 'dqt'>): DqtSandboxAdmin {
  if (config.dqt.kind !== 'sandbox') {
    throw new Error(`DQT_API_URL points at ${config.dqt.url}, a real DQT: sandbox admin calls are only for the DQT sandbox.`);
  }
  return new DqtSandboxAdmin(config.dqt.url);
}
