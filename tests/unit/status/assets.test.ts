import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ASSETS = new URL('../../../src/status/assets/', import.meta.url);

describe("the status page's scripts (SECURITY.md: server data goes in with textContent only)", () => {
  const scripts = readdirSync(ASSETS).filter((name) => name.endsWith('.js'));

  it.each(scripts)('%s parses no HTML and evaluates no strings', (name) => {
    const source = readFileSync(new URL(name, ASSETS), 'utf8');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', "setAttribute('on", 'srcdoc']) {
      expect(source.includes(sink), `${name} uses ${sink}`).toBe(false);
    }
  });

  it('the page sets its text through textContent', () => {
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.some((name) => readFileSync(new URL(name, ASSETS), 'utf8').includes('.textContent'))).toBe(true);
  });
});
