import { sandboxAdminCall } from '../../sandbox/admin-call.js';
import type { Config } from '../../config/env.js';
import type { TrsFault } from './server.js';
import type { TrsSandboxPerson, TrsSandboxPersonInput, TrsSandboxTrnRequest } from './records.js';

/**
 * The TRS sandbox's admin endpoints (`/_sandbox/...`) as calls, for tests, training and runbooks that show the TRS
 * side of a fix ("TRS adds the UKPRN", "TRS's support team resolves the pending TRN request", "TRS rejects it").
 * Refuses to exist for a real TRS: admin calls only ever go to the sandbox.
 *
 * @example
 * const trs = trsSandboxAdmin(loadConfig());
 * await trs.addOrganisation('10099007', 'Riverside SCITT');   // TRS now knows the training provider
 * await trs.releaseTrnRequest(requestId);                      // the pending request gets a TRN
 * await trs.rejectTrnRequest(requestId);                       // GET now gives 400/10062
 * await trs.injectFault({ path: '/v3/persons/3012201', method: 'PUT', kind: '500', count: 1 });
 */
export class TrsSandboxAdmin {
  constructor(readonly url: string) {}

  #call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    return sandboxAdminCall({ name: 'TRS sandbox', url: this.url, startWith: 'support trs-sandbox' }, method, path, body);
  }

  /** Back to the seeded state, with no faults. */
  async reset(): Promise<void> {
    await this.#call('POST', '/_sandbox/reset');
  }
  /** Adds or replaces a person (routes included). */
  async putPerson(person: TrsSandboxPersonInput): Promise<TrsSandboxPerson> {
    return (await this.#call('POST', '/_sandbox/persons', person)) as TrsSandboxPerson;
  }
  /** The stored person with this TRN, whatever its status. */
  async person(trn: string): Promise<TrsSandboxPerson> {
    return (await this.#call('GET', `/_sandbox/persons/${encodeURIComponent(trn)}`)) as TrsSandboxPerson;
  }
  /** The stored TRN request, with its internal status (Rejected and Dormant included). */
  async trnRequest(requestId: string): Promise<TrsSandboxTrnRequest> {
    return (await this.#call('GET', `/_sandbox/trn-requests/${encodeURIComponent(requestId)}`)) as TrsSandboxTrnRequest;
  }
  /** Completes a pending TRN request: a new record, or onto an existing TRN. */
  async releaseTrnRequest(requestId: string, trn?: string): Promise<{ requestId: string; status: string; trn: string | null }> {
    return (await this.#call('POST', `/_sandbox/trn-requests/${encodeURIComponent(requestId)}/release`, trn ? { trn } : {})) as { requestId: string; status: string; trn: string | null };
  }
  /** TRS rejects a TRN request, or it lies dormant: GET then answers 400/10062. */
  async rejectTrnRequest(requestId: string, status: 'Rejected' | 'Dormant' = 'Rejected'): Promise<void> {
    await this.#call('POST', `/_sandbox/trn-requests/${encodeURIComponent(requestId)}/reject`, { status });
  }
  /** TRS adds a training provider (what TRS does when support sends it a UKPRN), or forgets it (`known` false). */
  async addOrganisation(ukprn: string, name?: string, known = true): Promise<void> {
    await this.#call('POST', '/_sandbox/organisations', { ukprn, name, known });
  }
  /** The next `count` calls to `path` answer 500, 429 or hang. */
  async injectFault(fault: TrsFault): Promise<void> {
    await this.#call('POST', '/_sandbox/faults', fault);
  }
  async clearFaults(): Promise<void> {
    await this.#call('DELETE', '/_sandbox/faults');
  }
}

/** The admin of the configured TRS sandbox; throws when TRS_API_URL points at a real TRS. */
export function trsSandboxAdmin(config: Pick<Config, 'trs'>): TrsSandboxAdmin {
  if (config.trs.kind !== 'sandbox') {
    throw new Error(`TRS_API_URL points at ${config.trs.url}, a real TRS: sandbox admin calls are only for the TRS sandbox.`);
  }
  return new TrsSandboxAdmin(config.trs.url);
}
