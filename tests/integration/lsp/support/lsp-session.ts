import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CompletionList, DocumentSymbol, Hover, InitializeResult, Location, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const PROJECT = fileURLToPath(new URL('../../../fixtures/lsp-project/', import.meta.url));
export const TSLS = fileURLToPath(new URL('../../../../node_modules/.bin/typescript-language-server', import.meta.url));

export const uriOf = (file: string) => pathToFileURL(path.join(PROJECT, file)).href;

/** A client connection over a child's stdio (the server directly, or the proxy in front of it). */
export interface LspClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  /** Requests the server sent us, by method. */
  readonly serverRequests: Map<string, number>;
  /** Latest diagnostics per document, as the client saw them. */
  readonly diagnostics: Map<string, PublishDiagnosticsParams['diagnostics']>;
  readonly exited: Promise<number | null>;
  stderr: () => string;
}

export function startClient(command: string, args: readonly string[]): LspClient {
  const child = spawn(command, [...args], { cwd: PROJECT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const serverRequests = new Map<string, number>();
  const diagnostics = new Map<string, PublishDiagnosticsParams['diagnostics']>();
  connection.onRequest((method: string, params: unknown) => {
    serverRequests.set(method, (serverRequests.get(method) ?? 0) + 1);
    if (method === 'workspace/configuration') return ((params as { items?: unknown[] }).items ?? []).map(() => null);
    return null;
  });
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p.diagnostics);
  });
  connection.onNotification(() => {});
  connection.listen();
  return { child, connection, serverRequests, diagnostics, exited, stderr: () => err };
}

/** In memory only (never on disk): a document with a type error. */
export const BROKEN_URI = uriOf('src/broken.ts');
const BROKEN_TEXT = "export const n: number = 'not a number';\n";

export interface SessionResults {
  initialize: InitializeResult;
  hover: Hover | null;
  definition: Location | Location[] | null;
  references: Location[] | null;
  memberCompletion: CompletionList | null;
  globalCompletion: CompletionList | null;
  symbolsMain: DocumentSymbol[] | null;
  symbolsShapes: DocumentSymbol[] | null;
  /** What came back for the cancelled request: 'result', 'error <code>' or 'no answer'. */
  cancelled: string;
}

/** Requests the session sends, per method and the outcome the proxy must report. */
export const SENT: Readonly<Record<string, Record<string, number>>> = {
  initialize: { ok: 1 },
  'textDocument/hover': { ok: 1 },
  'textDocument/definition': { ok: 1 },
  'textDocument/references': { ok: 1 },
  'textDocument/completion': { ok: 2, cancelled: 1 },
  'textDocument/documentSymbol': { ok: 2 },
  shutdown: { ok: 1 },
};

/**
 * The same sequence for the direct and the proxied run: initialize, open documents, hover, definition,
 * references, completion (member and global), documentSymbol, one cancelled completion. It stops before
 * shutdown so the caller can look at live state; `end()` sends shutdown and exit.
 */
export async function runSession(client: LspClient): Promise<SessionResults> {
  const c = client.connection;
  const main = readFileSync(path.join(PROJECT, 'src/main.ts'), 'utf8');
  const shapes = readFileSync(path.join(PROJECT, 'src/shapes.ts'), 'utf8');
  const initialize = await c.sendRequest<InitializeResult>('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(PROJECT).href,
    workspaceFolders: [{ uri: pathToFileURL(PROJECT).href, name: 'lsp-project' }],
    capabilities: {
      textDocument: {
        publishDiagnostics: { relatedInformation: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        completion: { completionItem: { snippetSupport: false } },
      },
    },
  });
  await c.sendNotification('initialized', {});
  const open = (uri: string, text: string) => c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  await open(uriOf('src/main.ts'), main);
  await open(uriOf('src/shapes.ts'), shapes);
  await open(BROKEN_URI, BROKEN_TEXT);

  const at = (text: string, needle: string, offset = 0) => {
    const index = text.indexOf(needle) + offset;
    const before = text.slice(0, index).split('\n');
    return { line: before.length - 1, character: before.at(-1)!.length };
  };
  const mainDoc = { uri: uriOf('src/main.ts') };
  const areaCall = at(main, 'shape.area', 7);
  const hover = await c.sendRequest<Hover | null>('textDocument/hover', { textDocument: mainDoc, position: areaCall });
  const definition = await c.sendRequest<Location | Location[] | null>('textDocument/definition', { textDocument: mainDoc, position: areaCall });
  const references = await c.sendRequest<Location[] | null>('textDocument/references', {
    textDocument: { uri: uriOf('src/shapes.ts') },
    position: at(shapes, 'class Circle', 7),
    context: { includeDeclaration: true },
  });
  const memberCompletion = await c.sendRequest<CompletionList | null>('textDocument/completion', {
    textDocument: mainDoc,
    position: at(main, 'shape.area', 6),
  });
  const globalCompletion = await c.sendRequest<CompletionList | null>('textDocument/completion', {
    textDocument: mainDoc,
    position: at(main, 'export const total'),
  });
  const symbolsMain = await c.sendRequest<DocumentSymbol[] | null>('textDocument/documentSymbol', { textDocument: mainDoc });
  const symbolsShapes = await c.sendRequest<DocumentSymbol[] | null>('textDocument/documentSymbol', { textDocument: { uri: uriOf('src/shapes.ts') } });

  const source = new CancellationTokenSource();
  const pending = c.sendRequest('textDocument/completion', { textDocument: mainDoc, position: at(main, 'export const total') }, source.token);
  source.cancel();
  const cancelled = await Promise.race([
    pending.then(
      () => 'result',
      (e: { code?: number }) => `error ${e.code}`,
    ),
    new Promise<string>((r) => setTimeout(() => r('no answer'), 5000)),
  ]);
  return { initialize, hover, definition, references, memberCompletion, globalCompletion, symbolsMain, symbolsShapes, cancelled };
}

export async function endSession(client: LspClient): Promise<number | null> {
  await client.connection.sendRequest('shutdown');
  await client.connection.sendNotification('exit');
  const code = await client.exited;
  client.connection.dispose();
  return code;
}
