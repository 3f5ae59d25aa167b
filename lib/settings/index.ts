/** Settings and operations: settings paths ↔ SETTINGS__ variables, Register's value parsing, kubectl, maintenance mode (issue 6). */
export * from './ruby-value.js';
export * from './env-name.js';
export * from './settings-file.js';
export * from './change.js';
export * from './kubectl.js';
export * from './dfe-analytics.js';
export * from './maintenance.js';
export * from './notebook.js';
