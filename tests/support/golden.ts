import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN = fileURLToPath(new URL('../fixtures/bridge/golden/', import.meta.url));

/**
 * Golden files: set UPDATE_GOLDEN=1 to write them after an intended change, then review the diff. A missing
 * file fails (rather than being written and compared with itself). Objects are stored as JSON, strings as is
 * (`ext` names the file type: an email's text or HTML part).
 */
export function golden(name: string, value: unknown, ext = 'json'): void {
  const file = `${GOLDEN}${name}.${ext}`;
  const text = typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
