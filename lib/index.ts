/**
 * register-support: the helper library behind the runbook notebooks.
 * Notebooks import everything from here by package name: `import { ... } from 'register-support'`.
 */
export * from './config/index.js';
export * from './db/index.js';
export * from './tables/index.js';
export * from './notebook/index.js';
export * from './plan/index.js';
export * from './sandbox/index.js';
export * from './trainees/timeline.js';
export * from './trainees/index.js';
export * from './partners/index.js';
export * from './doctor/index.js';
export * from './dedupe/index.js';
export * from './settings/index.js';
export * from './apply/index.js';
export * from './runner/index.js';
export * from './dqt/index.js';
export * from './trs/index.js';
export * from './jobs/index.js';
export * from './queues/index.js';
export * from './triage/index.js';
export * from './investigations/index.js';
