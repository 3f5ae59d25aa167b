export * from './enums.js';
export * from './schema.js';
export * from './connect.js';
export * from './migrate.js';
export * from './lookup.js';
export * from './timestamp.js';
export * from './identity.js';
