// Records the git revision next to the compiled code, for ide_exporter_build_info.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';

let revision = process.env.IDE_MONITOR_REVISION ?? 'unknown';
try {
  revision = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
} catch {
  // Not a git checkout (a tarball or a Docker build context): keep the fallback.
}
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify({ revision })}\n`);
// dist/cli.js runs through its shebang (`npm start`, the bench), which carries the exporter's V8 flags.
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
