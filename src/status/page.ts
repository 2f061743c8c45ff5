import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildInfo } from '../build-info.js';
import { escapeHtml, type LandingLink } from '../exporter/landing-page.js';

/** Where the page's files are: next to this module (dist/status/assets after `npm run build`). */
export const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/**
 * The page's HTML, rendered once at mount: the template with the landing page's links (metrics, health,
 * readiness and the features' APIs) and the build, so `/` keeps what the plain landing page offered.
 */
export function renderPage(build: BuildInfo, links: readonly LandingLink[], template = readFileSync(`${ASSETS_DIR}index.html`, 'utf8')): string {
  const items = links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.title)}</a>`).join('\n        ');
  return template.replace('<!--links-->', items).replace('<!--version-->', escapeHtml(build.version)).replace('<!--revision-->', escapeHtml(build.revision));
}
