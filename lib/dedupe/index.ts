/** Duplicate trainees: the playbook's CSV, the set-based planner, and the discard plan (issue 6). */
export * from './csv.js';
export * from './planner.js';
export * from './remove-duplicates.js';
