#!/usr/bin/env node
'use strict';
// Notebooks import the library by package name (`import { … } from 'register-support'`): tslab resolves modules
// from the notebook's folder upwards through node_modules and cannot import files outside its root. Linking the
// project into its own node_modules makes the compiled library (dist/) resolvable from every notebook.
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const link = path.join(root, 'node_modules', 'register-support');
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* not there yet */
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync('..', link, 'dir');
