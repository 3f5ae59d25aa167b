export * from './format.js';
export * from './html.js';
export * from './text.js';
export * from './csv.js';
export * from './frame.js';
export * from './chart.js';
