// The test command (`npm test`): build, type-check, lint, make sure the real programs the integration tests use
// are installed (installing them when we are root), then run every vitest suite and print one summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const has = (binary) => spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
/** For programs installed off PATH (PostgreSQL's initdb lives in /usr/lib/postgresql/<version>/bin). */
const exists = (glob) => spawnSync('sh', ['-c', `ls ${glob}`], { stdio: 'ignore' }).status === 0;

run('npm', ['run', '--silent', 'build']);
run('npx', ['tsc', '-p', 'tsconfig.test.json', '--noEmit']);
// The checked-in rules, dashboards and manifests must be exactly what the sources generate.
run(process.execPath, ['dist/cli.js', 'generate', '--check']);
// Lint: type-aware ESLint (cached in node_modules/.cache, so empty on a clean clone), knip for unused files,
// exports and dependencies (both are `npm run lint`), and Prettier's formatting (`npm run format` fixes it).
run('npx', ['eslint', '--cache', '--cache-location', 'node_modules/.cache/eslint/', '.']);
run('npx', ['knip']);
run('npx', ['prettier', '--check', '.']);

// The same programs scripts/install-test-deps.sh installs.
const needed = [
  'prometheus',
  'promtool',
  'prometheus-node-exporter',
  'prometheus-alertmanager',
  'amtool',
  'chromium',
  'docker-compose',
  'systemd-analyze',
  'nvim',
];
// python3-aiosmtpd (the email channel's SMTP server) is a Python module, and PostgreSQL's initdb is off PATH.
const hasAiosmtpd = spawnSync('/usr/bin/python3', ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
if (needed.some((b) => !has(b)) || !hasAiosmtpd || !exists('/usr/lib/postgresql/*/bin/initdb')) {
  if (process.getuid?.() === 0) run('bash', ['scripts/install-test-deps.sh']);
  else
    console.warn(
      'SKIPPED: integration suites that need prometheus, alertmanager, chromium, docker-compose, python3-aiosmtpd or postgresql are skipped (not root; run scripts/install-test-deps.sh as root)',
    );
}

mkdirSync(`${root}/test-output`, { recursive: true });
const vitest = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-output/vitest.json', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
try {
  const report = JSON.parse(readFileSync(`${root}/test-output/vitest.json`, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
} catch {
  console.log('0 passed, 1 failed');
}
process.exit(vitest.status ?? 1);
