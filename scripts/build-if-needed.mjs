// `npm start` builds only when dist/ is missing or older than a source file, so a fresh clone just works.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const entry = path.join(root, 'dist', 'cli.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

if (!existsSync(entry) || statSync(entry).mtimeMs < newestMtime(path.join(root, 'src'))) {
  process.stderr.write('building ide-monitor (dist/ is missing or stale)…\n');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
