import type { BuildInfo } from '../build-info.js';

export interface LandingLink {
  readonly href: string;
  readonly title: string;
}

/** The small page at `/`, linking to the endpoints, as node_exporter's landing page does. */
export function landingPage(build: BuildInfo, links: readonly LandingLink[]): string {
  const items = links.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.title)}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>ide-monitor</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color-scheme:light dark}code{font-size:.9em}</style></head>
<body>
<h1>ide-monitor</h1>
<p>Prometheus exporter for IDE and language-server monitoring. Version <code>${escapeHtml(build.version)}</code>, revision <code>${escapeHtml(build.revision)}</code>.</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
