// Whether a reload may keep a channel's notifier: its settings and the files they name, as it was made from them.
import { readFileSync } from 'node:fs';
import type { BridgeConfig } from '../config/sections/bridge.js';

/**
 * Each configured channel's section with the text of every `*_file` it names (secrets, a CA), as one
 * string to compare. An unreadable file compares as its error code; making the notifier then says why.
 */
export function formsOf(bridge: BridgeConfig): Map<string, string> {
  const forms = new Map<string, string>();
  for (const [name, section] of Object.entries(bridge.channels)) {
    const files = Object.entries(section ?? {})
      .filter((entry): entry is [string, string] => entry[0].endsWith('_file') && typeof entry[1] === 'string')
      .map(([key, file]) => [key, readOrCode(file)]);
    forms.set(name, JSON.stringify([section, files]));
  }
  return forms;
}

function readOrCode(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return `unreadable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
