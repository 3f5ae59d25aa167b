export * from './keys.js';
export * from './globalid.js';
export * from './scan.js';
export * from './find.js';
export * from './actions.js';
