/** Investigations of the playbook's DQT job errors: Register and DQT side by side, a diagnosis, a plan and a ready message. */
export * from './compare.js';
export * from './investigation.js';
export * from './server-error-500.js';
export * from './teacher-not-found-404.js';
export * from './no-qts-record-10006.js';
export * from './no-incomplete-itt-10005.js';
export * from './organisation-not-found.js';
export * from './already-has-qts.js';
export * from './retrieve-trn-timeout.js';
export * from './update-missing-trn.js';
export * from './failed-update-and-award.js';
export * from './dead-set.js';
export * from './compare-trs.js';
export * from './trs-kinds.js';
export * from './trn-request-rejected-10062.js';
export * from './eyts-holder-10057.js';
export * from './trs-route-rejected.js';
