/**
 * The Plan engine: every data change is first a Plan (plain data), previewed, then committed in one audited
 * transaction that re-checks every row. See `builder.ts` for how to build and commit one.
 */
export * from './types.js';
export * from './values.js';
export * from './hash.js';
export * from './errors.js';
export * from './guard.js';
export * from './format.js';
export * from './builder.js';
export * from './audit.js';
export * from './actions.js';
export * from './preview.js';
export * from './commit.js';
export * from './revert.js';
export * from './change-log.js';
export { describeSetCheck } from './sets.js';
export * from './fix.js';
export * from './notebook.js';
