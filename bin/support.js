#!/usr/bin/env node
'use strict';
// The `support` command: everything lives in the compiled library (dist/), built by `npm install`.
let main;
try {
  ({ main } = require('../dist/cli/main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('support: the library is not built yet. Run `npm install` (or `npm run build`) in the project folder.\n');
    process.exit(3);
  }
  throw error;
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`support: ${error && error.message ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
