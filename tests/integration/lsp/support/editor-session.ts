import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { waitFor } from '../../../support/ports.mjs';
import { BROKEN_URI, PROJECT, uriOf, type LspClient } from './lsp-session.js';

/** broken.ts as opened, then two incremental edits (a fixed error, a new one): what the replay must carry. */
const BROKEN_OPENED = "export const n: number = 'not a number';\n";
export const BROKEN_EDITED = 'export const n: number = 42;\nexport const s: string = n;\n';
export const MAIN_URI = uriOf('src/main.ts');
const SHAPES_URI = uriOf('src/shapes.ts');
const MAIN = () => readFileSync(path.join(PROJECT, 'src/main.ts'), 'utf8');
const SHAPES = () => readFileSync(path.join(PROJECT, 'src/shapes.ts'), 'utf8');

export async function initialize(client: LspClient): Promise<InitializeResult> {
  const c = client.connection;
  const result = await c.sendRequest<InitializeResult>('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(PROJECT).href,
    workspaceFolders: [{ uri: pathToFileURL(PROJECT).href, name: 'lsp-project' }],
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true }, hover: { contentFormat: ['markdown', 'plaintext'] } } },
  });
  await c.sendNotification('initialized', {});
  return result;
}

/** Opens main.ts, shapes.ts and broken.ts; with `edit`, broken.ts is then edited incrementally to BROKEN_EDITED. */
export async function openDocuments(client: LspClient, edit: boolean, brokenText = BROKEN_OPENED): Promise<void> {
  const c = client.connection;
  const open = (uri: string, text: string) => c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  await open(MAIN_URI, MAIN());
  await open(SHAPES_URI, SHAPES());
  await open(BROKEN_URI, brokenText);
  if (!edit) return;
  await c.sendNotification('textDocument/didChange', {
    textDocument: { uri: BROKEN_URI, version: 2 },
    contentChanges: [
      { range: { start: { line: 0, character: 25 }, end: { line: 0, character: 39 } }, text: '42' },
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'export const s: string = n;\n' },
    ],
  });
}

/** Waits (bounded) until the client has diagnostics for all three documents and broken.ts has `count` of them. */
export async function diagnosticsSettled(client: LspClient, count: number): Promise<Record<string, PublishDiagnosticsParams['diagnostics']>> {
  await waitFor(
    `diagnostics for the three documents (${count} in broken.ts)`,
    async () => [MAIN_URI, SHAPES_URI, BROKEN_URI].every((u) => client.diagnostics.has(u)) && client.diagnostics.get(BROKEN_URI)!.length === count,
    // tsserver takes seconds to check a project, many more on a loaded CI machine.
    40_000,
    50,
  );
  return Object.fromEntries([MAIN_URI, SHAPES_URI, BROKEN_URI].map((u) => [u, client.diagnostics.get(u)!]));
}

/** Hover on `shape.area()` in main.ts. */
export function hoverArea(client: LspClient): Promise<Hover | null> {
  const text = MAIN();
  const index = text.indexOf('shape.area') + 7;
  const before = text.slice(0, index).split('\n');
  return client.connection.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri: MAIN_URI },
    position: { line: before.length - 1, character: before.at(-1)!.length },
  });
}
