/**
 * Register's TRS-era errors and notices (HEAD `ce1126541`), with their exact class names and texts, so the
 * toolkit can produce, recognise and seed what Register's `Trs::` jobs leave behind:
 *
 * | Class (`name`) | Message | Raised by |
 * |---|---|---|
 * | `Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError` | `Error updating professional status: <HttpError message>` | `Trs::UpdateProfessionalStatusJob` |
 * | `Trs::UpdatePersonalData::PersonUpdateError` | `Error updating personal data: <HttpError message>` | `Trs::UpdateTraineeJob` |
 * | `Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn` | four lines, see below | `Trs::UpdateProfessionalStatusJob` |
 * | `Trs::UpdatePersonalData::PersonUpdateMissingTrn` | four lines, see below | `Trs::UpdateTraineeJob` |
 * | `Trs::RetrieveTrnJob::TraineeAttributeError` | `Trainee#submitted_for_trn_at is nil - it should be timestamped (id: <id>)` | `Trs::RetrieveTrnJob` |
 *
 * The `...MissingTrn` messages are Ruby heredocs, so they end with a newline:
 * `Cannot update professional status on TRS without a TRN\nslug: <slug>\nid: <id>\n<base_url>/trainees/<slug>\n`.
 * `base_url` is Register's `Settings.base_url` (production's by default).
 *
 * @example
 * new ProfessionalStatusUpdateError(httpError.message).message  // 'Error updating professional status: status: 400, body: ...'
 * new PersonUpdateMissingTrn({ slug: 'x3Kq…', id: 42 }).message
 * registerIgnoresTrsError('route', message)                     // true for 10052 (Register treats it as success)
 */

/** Register's production `Settings.base_url` (`config/settings/production.yml`). */
export const REGISTER_PRODUCTION_BASE_URL = 'https://www.register-trainee-teachers.service.gov.uk';

/** Who a missing-TRN message names. */
export interface TraineeIdentity {
  id: number;
  slug: string;
}

function missingTrnMessage(firstLine: string, trainee: TraineeIdentity, baseUrl: string): string {
  return `${firstLine}\nslug: ${trainee.slug}\nid: ${trainee.id}\n${baseUrl}/trainees/${trainee.slug}\n`;
}

/** `Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError`: wraps the `Trs::Client::HttpError` message. */
export class ProfessionalStatusUpdateError extends Error {
  constructor(httpErrorMessage: string) {
    super(`Error updating professional status: ${httpErrorMessage}`);
    this.name = 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateError';
  }
}

/** `Trs::UpdatePersonalData::PersonUpdateError`: wraps the `Trs::Client::HttpError` message. */
export class PersonUpdateError extends Error {
  constructor(httpErrorMessage: string) {
    super(`Error updating personal data: ${httpErrorMessage}`);
    this.name = 'Trs::UpdatePersonalData::PersonUpdateError';
  }
}

/** `Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn`: the route update ran before the trainee had a TRN. */
export class ProfessionalStatusUpdateMissingTrn extends Error {
  constructor(trainee: TraineeIdentity, baseUrl = REGISTER_PRODUCTION_BASE_URL) {
    super(missingTrnMessage('Cannot update professional status on TRS without a TRN', trainee, baseUrl));
    this.name = 'Trs::UpdateProfessionalStatus::ProfessionalStatusUpdateMissingTrn';
  }
}

/** `Trs::UpdatePersonalData::PersonUpdateMissingTrn`: the personal-data update ran before the trainee had a TRN. */
export class PersonUpdateMissingTrn extends Error {
  constructor(trainee: TraineeIdentity, baseUrl = REGISTER_PRODUCTION_BASE_URL) {
    super(missingTrnMessage('Cannot update person personal data on TRS without a TRN', trainee, baseUrl));
    this.name = 'Trs::UpdatePersonalData::PersonUpdateMissingTrn';
  }
}

/** `Trs::RetrieveTrnJob::TraineeAttributeError`: polling a TRN request of a trainee never stamped `submitted_for_trn_at`. */
export class TraineeAttributeError extends Error {
  constructor(traineeId: number) {
    super(`Trainee#submitted_for_trn_at is nil - it should be timestamped (id: ${traineeId})`);
    this.name = 'Trs::RetrieveTrnJob::TraineeAttributeError';
  }
}

/**
 * The Teams notice `NotifyOnTimeout` sends when `Trs::RetrieveTrnJob` stops polling (the job does not raise).
 * The message always says `Settings.jobs.max_poll_duration_days` (4), even in October when the window is 10 days.
 */
export function retrieveTrnTimeoutNotice(slug: string, maxPollDurationDays = 4, className = 'Trs::RetrieveTrnJob'): { title: string; message: string } {
  return {
    title: `${className} timed out`,
    message: `${className} for Trainee with slug: ${slug} has timed out after ${maxPollDurationDays} days.`,
  };
}

/** The error codes Register's services treat as success (`IGNORABLE_ERROR_CODES`). */
export const REGISTER_IGNORED_TRS_CODES = { personalData: [10041, 10042], route: [10052] } as const;

/**
 * Whether Register swallows this `Trs::Client::HttpError` message: 10041/10042 on the personal-data PUT, 10052 on
 * the route PUT. Register matches `"errorCode":100xx` literally in the message (no space after the colon), as TRS
 * writes it; 10057 (person has EYTS) is not ignored.
 */
export function registerIgnoresTrsError(call: 'personalData' | 'route', httpErrorMessage: string): boolean {
  const codes = REGISTER_IGNORED_TRS_CODES[call];
  return new RegExp(`"errorCode":(${codes.join('|')})`).test(httpErrorMessage);
}
