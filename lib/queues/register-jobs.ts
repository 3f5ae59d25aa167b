/**
 * Register's ActiveJob classes as they reach Sidekiq: the queue each is on and its Sidekiq `retry` option (`true` =
 * Sidekiq's default 25; `0` = dead on the first failure). Read from Register's `app/jobs` at the DQT-era commit
 * (2024-08) and at HEAD (2026-08), plus the framework and gem jobs Register enqueues. A dead or retrying job of a
 * class not listed here is shown as an unknown class.
 *
 * @example
 * REGISTER_JOB_CLASSES['Dqt::UpdateTraineeJob'] // { queue: 'dqt', retry: 0, era: 'dqt' }
 */
export interface RegisterJobClass {
  queue: string;
  retry: boolean | number;
  /** `dqt`: removed from Register on 2026-01-27; `trs`: added 2025-04; `both`: in both. */
  era: 'dqt' | 'trs' | 'both';
}

const job = (queue: string, retry: boolean | number, era: RegisterJobClass['era']): RegisterJobClass => ({ queue, retry, era });

export const REGISTER_JOB_CLASSES: Readonly<Record<string, RegisterJobClass>> = {
  // DQT era (app/jobs/dqt, Dqt::BaseJob sets retry: 10)
  'Dqt::RegisterForTrnJob': job('dqt', 0, 'dqt'),
  'Dqt::RetrieveTrnJob': job('dqt', 10, 'dqt'),
  'Dqt::UpdateTraineeJob': job('dqt', 0, 'dqt'),
  'Dqt::WithdrawTraineeJob': job('dqt', 0, 'dqt'),
  'Dqt::RecommendForAwardJob': job('dqt', 10, 'dqt'),
  'Dqt::SyncStatesBatchJob': job('dqt_sync', 10, 'dqt'),
  'Dqt::SyncStatesJob': job('dqt_sync', 10, 'dqt'),
  'Dqt::SyncTeacherJob': job('dqt_sync', 10, 'dqt'),
  'Dqt::SyncTeachersBatchJob': job('dqt_sync', 10, 'dqt'),
  'Dqt::SyncTeachersJob': job('dqt_sync', 10, 'dqt'),
  'Dqt::SyncTraineeStateJob': job('dqt_sync', 5, 'dqt'),
  'Dqt::SyncTraineeTrnJob': job('dqt_sync', 10, 'dqt'),
  'Degrees::CreateFromDttpPlacementAssignmentJob': job('dttp', true, 'dqt'),
  'Dttp::SyncAccountsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncBursaryDetailsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncDegreeQualificationsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncDormantPeriodsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncPlacementAssignmentsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncProvidersJob': job('dttp', true, 'dqt'),
  'Dttp::SyncSchoolsJob': job('dttp', true, 'dqt'),
  'Dttp::SyncTraineesJob': job('dttp', true, 'dqt'),
  'Dttp::SyncTrainingInitiativesJob': job('dttp', true, 'dqt'),
  'Dttp::SyncUsersJob': job('dttp', true, 'dqt'),
  'Hesa::CreateFromHesaJob': job('hesa', true, 'dqt'),
  'Hesa::RetrieveCollectionJob': job('hesa', true, 'dqt'),
  'Hesa::RetrieveJob': job('hesa', true, 'dqt'),
  'Hesa::RetrieveTrnDataJob': job('hesa', true, 'dqt'),
  'Hesa::SyncStudentsJob': job('hesa', true, 'dqt'),
  'Hesa::UploadTrnFileJob': job('hesa', true, 'dqt'),
  // HEAD (app/jobs/trs; Trs::BaseJob sets retry: 10, ApplicationJob nothing)
  'Trs::RegisterForTrnJob': job('trs', 0, 'trs'),
  'Trs::RetrieveTrnJob': job('trs', 10, 'trs'),
  'Trs::UpdateProfessionalStatusJob': job('trs', true, 'trs'),
  'Trs::UpdateTraineeJob': job('trs', 0, 'trs'),
  'AuthenticationTokens::ExpirationReminderJob': job('default', true, 'trs'),
  'AuthenticationTokens::ExpireTokensJob': job('default', true, 'trs'),
  'BulkUpdate::AddTrainees::ImportRowsJob': job('bulk_add_trainees', true, 'trs'),
  'BulkUpdate::AddTrainees::RemoveCancelledAndFailedJob': job('default', true, 'trs'),
  'DiscardInactiveUsersJob': job('default', true, 'trs'),
  'FindAndUseAnApi::PublishCatalogueJob': job('default', true, 'trs'),
  'Rotp::CheckProvidersJob': job('default', true, 'trs'),
  'SchoolData::ImportJob': job('default', true, 'trs'),
  'Survey::SendJob': job('default', 3, 'trs'),
  'TeacherTrainingApi::CheckCoursesForMissingProvidersJob': job('default', true, 'trs'),
  'TeacherTrainingApi::PublishProviderCheckerJob': job('default', true, 'trs'),
  // Both
  'BackfillApplicationChoiceIdJob': job('default', true, 'both'),
  'BulkUpdate::AnalyticsJob': job('default', true, 'both'),
  'BulkUpdate::AuditingJob': job('default', true, 'both'),
  'BulkUpdate::Placements::ImportRowsJob': job('bulk_update', true, 'both'),
  'DeleteEmptyTraineesJob': job('default', true, 'both'),
  'MalwareScanJob': job('default', true, 'both'),
  'MalwareScanningJob': job('default', true, 'both'),
  'ProcessFundingCsvJob': job('default', true, 'both'),
  'RecruitsApi::ImportApplicationJob': job('apply', true, 'both'),
  'RecruitsApi::ImportApplicationsJob': job('default', true, 'both'),
  'SessionStoreTruncateJob': job('default', true, 'both'),
  'Sidekiq::RemoveDeadDuplicatesJob': job('default', true, 'both'),
  'TeacherTrainingApi::ImportCoursesJob': job('default', true, 'both'),
  'TeacherTrainingApi::ImportSubjectsJob': job('default', true, 'both'),
  'Trainees::CreateFromApplicationJob': job('apply', true, 'both'),
  'Trainees::CreateFromApplyJob': job('apply', true, 'both'),
  'Trainees::UpdateSubmissionReadinessJob': job('default', 0, 'both'),
  // Framework and gems Register enqueues through
  'ActionMailer::MailDeliveryJob': job('mailers', true, 'both'),
  'ActionMailer::DeliveryJob': job('mailers', true, 'both'),
  'ActiveStorage::AnalyzeJob': job('default', true, 'both'),
  'ActiveStorage::PurgeJob': job('default', true, 'both'),
  'DfE::Analytics::SendEvents': job('dfe_analytics', true, 'both'),
  'DfE::Analytics::LoadEntities': job('dfe_analytics', true, 'both'),
  'DfE::Analytics::LoadEntityBatch': job('dfe_analytics', true, 'both'),
  'DfE::Analytics::EntityTableCheckJob': job('dfe_analytics', true, 'both'),
};

/** Whether Register has (or had) this job class. */
export function isRegisterJobClass(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(REGISTER_JOB_CLASSES, name);
}

/** The queues Register's Sidekiq polls (config/sidekiq*.yml), in order: BRPOP serves the first non-empty one. */
export const REGISTER_QUEUES = {
  dqt: ['high_priority', 'default', 'dqt', 'apply', 'hesa', 'dttp', 'mailers', 'dqt_sync', 'dfe_analytics', 'others', 'bulk_update'],
  head: ['high_priority', 'default', 'trs', 'apply', 'hesa', 'dttp', 'mailers', 'dfe_analytics', 'others', 'bulk_update', 'bulk_add_trainees'],
} as const;

/**
 * Each era's update and award jobs, for the playbook's rule that a trainee's failed update runs before their failed
 * award. With TRS the award is `Trs::UpdateProfessionalStatusJob` (it sends the route status and awards), and
 * `Trs::UpdateTraineeJob` must run first: TRS refuses personal-data changes once the person holds QTS or EYTS. A DQT
 * update never pairs with a TRS award.
 *
 * @example
 * updateBeforeAwardPair('Trs::UpdateProfessionalStatusJob')?.update // 'Trs::UpdateTraineeJob'
 */
export const UPDATE_BEFORE_AWARD_PAIRS: readonly { era: 'dqt' | 'trs'; update: string; award: string }[] = [
  { era: 'dqt', update: 'Dqt::UpdateTraineeJob', award: 'Dqt::RecommendForAwardJob' },
  { era: 'trs', update: 'Trs::UpdateTraineeJob', award: 'Trs::UpdateProfessionalStatusJob' },
];

/** The update-and-award pair a job belongs to (as the update or as the award), or undefined. */
export function updateBeforeAwardPair(jobName: string | null | undefined): (typeof UPDATE_BEFORE_AWARD_PAIRS)[number] | undefined {
  return UPDATE_BEFORE_AWARD_PAIRS.find((p) => p.update === jobName || p.award === jobName);
}
