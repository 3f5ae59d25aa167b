export * from './database.js';
export * from './start.js';
export * from './ensure.js';
export * from './service.js';
export * from './process.js';
export * from './seed/index.js';
export * from './scenario-run.js';
