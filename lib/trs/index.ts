/** TRS (the Teaching Record System API v3 Register calls today): the typed client, its error, Register's payloads and TRS-era errors, and the TRS sandbox. */
export { TrsClient, createTrsClient, TRS_DEFAULT_API_VERSION, type TrsClientOptions } from './client.js';
export { TrsError, parseTrsErrorMessage, trsHttpErrorMessage, rubyHashInspect, trsErrorTitle, TRS_ERROR_TITLES, type ParsedTrsError } from './error.js';
export * from './schemas.js';
export * from './codes.js';
export {
  trsTrnRequestBody,
  trsPersonalDataBody,
  trsProfessionalStatusBody,
  trsEstimatedEndDate,
  trsSubjectReferences,
  trsAgeSpecialism,
  trsCountryReference,
  trsDegreeTypeId,
  trsRouteTypeId,
  RegisterWouldRaiseError,
  type TrsTraineeInput,
  type TrsProfessionalStatusBody,
} from './payloads.js';
export {
  ProfessionalStatusUpdateError,
  PersonUpdateError,
  ProfessionalStatusUpdateMissingTrn,
  PersonUpdateMissingTrn,
  TraineeAttributeError,
  retrieveTrnTimeoutNotice,
  registerIgnoresTrsError,
  REGISTER_IGNORED_TRS_CODES,
  REGISTER_PRODUCTION_BASE_URL,
  type TraineeIdentity,
} from './register-errors.js';
export { startTrsSandbox, type TrsSandbox, type TrsSandboxOptions, type TrsFault as TrsSandboxFault } from './sandbox/server.js';
export { TrsSandboxStore } from './sandbox/store.js';
export { TrsSandboxAdmin, trsSandboxAdmin } from './sandbox/admin.js';
export { trsSandboxSeed } from './sandbox/seed.js';
export type { TrsSandboxSeed, TrsSandboxPersonInput, TrsSandboxPerson, TrsSandboxRoute, TrsSandboxTrnRequest, TrsTrnRequestStatus } from './sandbox/records.js';
