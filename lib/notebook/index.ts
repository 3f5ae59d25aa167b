export * from './display.js';
export * from './redact.js';
