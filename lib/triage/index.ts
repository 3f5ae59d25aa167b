export * from './rules.js';
export * from './triage.js';
export * from './report.js';
