/** Trainee data fixes: each builds a Plan from checked input (see lib/plan). The timeline is in timeline.ts. */
export * from './dates.js';
export * from './lookup.js';
export * from './withdrawal.js';
export * from './dqt-update.js';
export * from './change-training-route.js';
export * from './change-withdrawal-date.js';
export * from './undo-withdrawal.js';
export * from './incorrectly-awarded.js';
export * from './previous-trainee-for-former-provider.js';
export * from './slug.js';
export * from './trn-request.js';
export * from './dqt-record.js';
