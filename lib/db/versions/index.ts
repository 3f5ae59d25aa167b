export * from './description.js';
export * from './build.js';
export * from './introspect.js';
export * from './features.js';
export * from './requirements.js';
export * from './detect.js';
