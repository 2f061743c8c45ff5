import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allElements, parseXml, XmlError } from './xml.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const source = readFileSync(`${repo}docs/data-flow.svg`, 'utf8');

describe('docs/data-flow.svg', () => {
  it('is well-formed XML with an <svg> root in the SVG namespace and a viewBox', () => {
    const root = parseXml(source);
    expect(root.name).toBe('svg');
    expect(root.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(root.attributes['viewBox']).toMatch(/^0 0 \d+ \d+$/);
  });

  it('names every part of the chain the README describes', () => {
    const texts = allElements(parseXml(source))
      .filter((e) => e.name === 'text')
      .map((e) => e.text);
    const expected = [
      'Editor / IDE',
      'ide-monitor lsp-proxy',
      'Language server',
      'IDE backend',
      'POST /api/v1/ingest',
      '/metrics',
      'status page /',
      'POST /api/v1/alertmanager/webhook',
      'outbox (SQLite, WAL)',
      'Prometheus',
      'Alertmanager',
      'Grafana',
      'Slack',
      'PagerDuty Events v2',
      'outgoing webhook',
      'actions (http / exec)',
    ];
    for (const label of expected) expect(texts, label).toContain(label);
  });

  it('refers only to ids it defines (arrow markers, title, description)', () => {
    const elements = allElements(parseXml(source));
    const ids = new Set(elements.map((e) => e.attributes['id']).filter((id) => id !== undefined));
    const style = elements
      .filter((e) => e.name === 'style')
      .map((e) => e.text)
      .join('\n');
    const refs = [...style.matchAll(/url\(#([\w-]+)\)/g)].map((m) => m[1]);
    for (const e of elements) for (const value of Object.values(e.attributes)) refs.push(...[...value.matchAll(/url\(#([\w-]+)\)/g)].map((m) => m[1]));
    refs.push(...(elements[0]?.attributes['aria-labelledby']?.split(' ') ?? []));
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) expect(ids, `#${ref}`).toContain(ref);
  });

  it('the checker rejects what a browser would: mismatched tags, bare &, duplicate attributes, two roots', () => {
    for (const bad of ['<svg><g></svg>', '<svg>a & b</svg>', '<svg x="1" x="2"/>', '<svg/><svg/>', '<svg x=1/>', '<svg>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
    expect(parseXml('<?xml version="1.0"?>\n<!-- c --><svg a="&lt;&#65;"><t>x &amp; y</t></svg>\n').children[0]?.text).toBe('x & y');
  });
});
