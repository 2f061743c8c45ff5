// Copies the status page's browser files next to the compiled code (dist/status/assets/), with uPlot taken
// from node_modules: bundled at build time, so the page needs no CDN and works offline.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/status/assets');
const target = join(root, 'dist/status/assets');
// Resolved through Node so a hoisted or nested node_modules both work.
const uplotDist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

mkdirSync(target, { recursive: true });
const copied = [];
for (const name of readdirSync(source)) {
  if (!statSync(join(source, name)).isFile()) continue;
  copyFileSync(join(source, name), join(target, name));
  copied.push(name);
}
for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  copyFileSync(join(uplotDist, name), join(target, name));
  copied.push(name);
}
console.log(`copy-status-assets: ${copied.length} files to dist/status/assets`);
