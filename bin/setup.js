#!/usr/bin/env node
'use strict';
/*
 * What `npm start` and `npm test` run first: whatever set-up this checkout still lacks, each step said (what it
 * installs and why) before it is done. Plain Node with no dependencies, because it runs before `npm ci`.
 *
 *   node bin/setup.js start [support start options]   set up, then `support start` (Jupyter on the runbooks)
 *   node bin/setup.js test                              set up for the test suite (build included), then exit
 *
 * Steps: npm dependencies (npm ci, which also builds the library and writes this checkout's Jupyter kernel into
 * .jupyter/) when node_modules is missing or older than package-lock.json; the build when a source is newer than it
 * (always for test); Jupyter from Debian's packages when /usr/bin/python3 cannot import it (and, for test, Debian's
 * Chromium for the browser test), with apt-get as root, through sudo, or else printing the exact command; for
 * test, PostgreSQL and Redis must answer (it says how to start them when they do not).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
/** Debian's Jupyter: the notebook server for `npm start`, nbclient/nbconvert for `support run` and the tests. */
const JUPYTER_PACKAGES = ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'python3-ipykernel', 'jupyter-notebook'];
const JUPYTER_MODULES = 'nbclient, nbconvert, jupyter_client, ipykernel, notebook';
/** Debian's Chromium: the browser test renders a runbook's output and takes screenshots, headless. */
const BROWSER_PACKAGES = ['chromium'];
const CHROMIUM = '/usr/bin/chromium';

const say = (line) => process.stdout.write(`[setup] ${line}\n`);

class SetupError extends Error {}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (r.error) throw new SetupError(`${command} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new SetupError(`\`${[command, ...args].join(' ')}\` failed (exit ${r.status}).`);
}

function newestMtime(dir, test) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, test));
    else if (test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function npmDependencies() {
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return false;
  say(
    existsSync(installed)
      ? 'package-lock.json changed since the last install: reinstalling the npm dependencies (npm ci).'
      : 'Installing the npm dependencies (npm ci): TypeScript, tslab (the notebooks\' kernel), the database, queue and test libraries, into node_modules/.',
  );
  say('npm ci also builds the library (dist/) and writes this checkout\'s Jupyter kernel into .jupyter/ (nothing outside the checkout).');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  return true;
}

function build(always) {
  const stamp = join(ROOT, 'dist', 'index.js');
  if (!always && existsSync(stamp) && newestMtime(join(ROOT, 'lib'), (n) => n.endsWith('.ts')) <= statSync(stamp).mtimeMs) return;
  say(always ? 'Building the library (npm run build): the tests run the compiled CLI and notebooks import dist/.' : 'The library\'s sources changed since the last build: building it (npm run build).');
  run('npm', ['run', 'build', '--silent']);
}

/** How this user can run apt-get: as root, through sudo (without a password, or asking for it on a terminal), or not. */
function aptPrefix() {
  if (process.getuid && process.getuid() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  if (!sudo.error && sudo.status === 0) return ['sudo'];
  if (!sudo.error && process.stdin.isTTY) return ['sudo'];
  return null;
}

function aptInstall(packages, why) {
  const manual = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  const prefix = aptPrefix();
  if (prefix === null) {
    throw new SetupError(`${why}\nInstall it as root (this user is not root and sudo is not available here):\n  sudo sh -c '${manual}'\nthen run this command again.`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [command, ...before] = [...prefix, 'apt-get'];
  say(`${why} Installing from Debian's packages: ${packages.join(', ')}.`);
  say(`Updating the package lists first: ${[...prefix, 'apt-get update'].join(' ')}`);
  run(command, [...before, 'update', '-qq'], { env });
  const plan = spawnSync(command, [...before, 'install', '-s', '-y', ...packages], { encoding: 'utf8', env });
  const count = (plan.stdout || '').split('\n').filter((l) => l.startsWith('Inst ')).length;
  say(`${[...prefix, 'apt-get install -y', ...packages].join(' ')}: ${count} Debian package(s), dependencies included.`);
  run(command, [...before, 'install', '-y', '-qq', ...packages], { env });
}

function jupyter() {
  const python = process.env.SUPPORT_JUPYTER_PYTHON || '/usr/bin/python3';
  const check = () => spawnSync(python, ['-c', `import ${JUPYTER_MODULES}`], { stdio: 'ignore' }).status === 0;
  if (check()) return;
  aptInstall(JUPYTER_PACKAGES, `Jupyter is not installed for ${python}: the runbooks open in Jupyter Notebook and \`support run\` uses its executor.`);
  if (!check()) throw new SetupError(`Jupyter was installed but ${python} still cannot import ${JUPYTER_MODULES}.`);
}

function browser() {
  if (existsSync(CHROMIUM)) return;
  aptInstall(BROWSER_PACKAGES, `Chromium is not installed (${CHROMIUM}): the browser test renders a runbook's output headless and checks its screenshots.`);
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

async function services() {
  const missing = [];
  if (!(await answers(5432))) missing.push('PostgreSQL on 127.0.0.1:5432 (trust authentication), e.g.: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
  if (!(await answers(6379))) missing.push('Redis on 127.0.0.1:6379, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
  if (missing.length) throw new SetupError(`The tests need these services running:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== 'start' && mode !== 'test') {
    process.stderr.write('Usage: node bin/setup.js start [options] | test\n');
    return 2;
  }
  const installed = npmDependencies();
  build(mode === 'test' && !installed);
  jupyter();
  if (mode === 'test') {
    browser();
    await services();
    return 0;
  }
  const { main: support } = require(join(ROOT, 'dist', 'cli', 'main.js'));
  return support(['start', ...rest]);
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`[setup] ${error instanceof SetupError ? error.message : error && error.stack ? error.stack : String(error)}\n`);
      process.exit(error instanceof SetupError ? 3 : 1);
    },
  );
}

module.exports = { JUPYTER_PACKAGES, BROWSER_PACKAGES };
