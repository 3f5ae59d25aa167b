/** Apply re-import: stuck apply_applications rows deleted, touched on Apply, imported again (issue 6). */
export * from './reimport.js';
