export * from './database.js';
export * from './start.js';
export * from './ensure.js';
export * from './services.js';
export * from './seed/index.js';
