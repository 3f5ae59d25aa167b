export * from './database.js';
export * from './start.js';
export * from './ensure.js';
export * from './process.js';
export * from './services.js';
export * from './seed/index.js';
export * from './scenario-run.js';
