/**
 * Register's jobs carry records as ActiveJob GlobalIDs: `{"_aj_globalid": "gid://register-trainee-teachers/Trainee/123"}`,
 * anywhere in the arguments (keyword hashes included). Any app name is read; the toolkit writes Register's.
 */
export const REGISTER_GLOBALID_APP = 'register-trainee-teachers';

/** Whether a GlobalID model is a TRN request (`Dqt::TrnRequest` in the DQT era, `Trs::TrnRequest` at HEAD). */
export const isTrnRequestModel = (model: string): boolean => model === 'TrnRequest' || model.endsWith('::TrnRequest');

export interface ParsedGlobalId {
  app: string;
  model: string;
  id: number;
}

const GID = /^gid:\/\/([^/]+)\/([A-Za-z:]+)\/(\d+)$/;

export function parseGlobalId(value: unknown): ParsedGlobalId | null {
  if (typeof value !== 'string') return null;
  const m = GID.exec(value);
  return m ? { app: m[1]!, model: m[2]!, id: Number(m[3]) } : null;
}

/**
 * The hashes of `value` in Register's `Hashable#deep_dig` order: an iterative depth-first walk with a stack and a
 * visited set, children pushed in order so the last sibling is visited first.
 */
function* hashesInDeepDigOrder(value: unknown): Generator<Record<string, unknown>> {
  const stack: unknown[] = [value];
  const visited = new Set<unknown>();
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || visited.has(node)) continue;
    visited.add(node);
    if (!Array.isArray(node)) yield node as Record<string, unknown>;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child);
  }
}

/**
 * Register's `Hashable#deep_dig`: the first value of `key` in any hash of `value` (a hash's own key is checked before
 * its children), or undefined.
 *
 * @example
 * deepDig({ a: [{ b: 1 }, { _aj_globalid: 'gid://register-trainee-teachers/Trainee/5' }] }, '_aj_globalid') // 'gid://register-trainee-teachers/Trainee/5'
 */
export function deepDig(value: unknown, key: string): unknown {
  for (const hash of hashesInDeepDigOrder(value)) if (Object.prototype.hasOwnProperty.call(hash, key)) return hash[key];
  return undefined;
}

/** Every GlobalID anywhere in `value`, in deep_dig's search order. */
export function allGlobalIds(value: unknown): ParsedGlobalId[] {
  const found: ParsedGlobalId[] = [];
  for (const hash of hashesInDeepDigOrder(value)) {
    const gid = parseGlobalId(hash._aj_globalid);
    if (gid) found.push(gid);
  }
  return found;
}

/**
 * The trainee a job is about. Unlike Register's dead-jobs page, which takes the first GlobalID whatever its model
 * (so a `RetrieveTrnJob` was listed under its TrnRequest's id as if it were a trainee id), this takes the first
 * Trainee GlobalID, and otherwise reports the TrnRequest id for the caller to resolve through the TRN requests table.
 */
export function jobSubject(data: unknown): { traineeId: number | null; trnRequestId: number | null } {
  const ids = allGlobalIds(data);
  const trainee = ids.find((g) => g.model === 'Trainee');
  const trnRequest = ids.find((g) => isTrnRequestModel(g.model));
  return { traineeId: trainee?.id ?? null, trnRequestId: trnRequest?.id ?? null };
}

const GID_IN_TEXT = /"_aj_globalid"\s*:\s*"gid:\/\/[^/"]+\/([A-Za-z:]+)\/(\d+)"/g;

/**
 * `jobSubject` on a job's raw JSON text, without parsing it: the triage reads hundreds of thousands of jobs and only
 * needs their GlobalIDs. Same answer as `jobSubject(JSON.parse(text))` when a job names one trainee.
 */
export function jobSubjectFromText(text: string | null): { traineeId: number | null; trnRequestId: number | null } {
  let traineeId: number | null = null;
  let trnRequestId: number | null = null;
  if (!text) return { traineeId, trnRequestId };
  GID_IN_TEXT.lastIndex = 0;
  for (let m = GID_IN_TEXT.exec(text); m; m = GID_IN_TEXT.exec(text)) {
    if (traineeId === null && m[1] === 'Trainee') traineeId = Number(m[2]);
    else if (trnRequestId === null && isTrnRequestModel(m[1]!)) trnRequestId = Number(m[2]);
    if (traineeId !== null && trnRequestId !== null) break;
  }
  return { traineeId, trnRequestId };
}
