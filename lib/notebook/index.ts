export * from './display.js';
export * from './redact.js';
export * from './session.js';
export * from './input-error.js';
