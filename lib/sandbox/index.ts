export * from './database.js';
export * from './start.js';
export * from './ensure.js';
export * from './service.js';
export * from './seed/index.js';
