/** DQT: the typed API client, its one error type, Register's request payloads, and the DQT sandbox server. */
export { DqtClient, createDqtClient, retryAfterMs, type DqtClientOptions, type TraineeRef, type FindTeachersQuery } from './client.js';
export { DqtError, parseDqtErrorMessage, TraineeUpdateMissingTrn, TraineeAwardMissingTrn, FindTeacherError, type ParsedDqtError } from './error.js';
export * from './schemas.js';
export { trnRequestBody, updateBody, awardBody, withdrawalBody, updateOutcome, genderCode, programmeType, qualification, SUBJECT_CODES, type PayloadSource } from './payloads.js';
export { degreeInstitution, institutionUkprn, DEGREE_INSTITUTIONS, type DegreeInstitution } from './institutions.js';
export { startDqtSandbox, type DqtSandbox, type DqtSandboxOptions, type Fault as DqtSandboxFault } from './sandbox/server.js';
export { DqtSandboxStore } from './sandbox/store.js';
export { DqtSandboxAdmin, dqtSandboxAdmin } from './sandbox/admin.js';
export { dqtSandboxSeed } from './sandbox/seed.js';
export type { DqtSandboxSeed, SandboxTeacherInput, SandboxTeacher } from './sandbox/records.js';
