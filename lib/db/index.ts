export * from './enums.js';
export * from './schema.js';
export * from './connect.js';
export * from './migrate.js';
export * from './own-schema.js';
export * from './lookup.js';
export * from './versions/index.js';
