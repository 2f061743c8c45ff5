/**
 * What a replacement server must be told to stand where the old one stood: the editor's `initialize`
 * params, its `initialized` params, the latest `workspace/didChangeConfiguration`, and every open text
 * document at its current content and version. Fed from the editor → server traffic the monitor already
 * parses (didOpen, didChange full and incremental, didClose), and from the server's `initialize` answer
 * for the position encoding that incremental changes are expressed in.
 *
 * Bounded: at most MAX_DOCUMENTS documents and MAX_TEXT_BYTES of text in all; beyond it new documents are
 * not tracked (a replay then misses them, and says how many). Notebook documents are not tracked.
 */

export interface TrackedDocument {
  readonly uri: string;
  readonly languageId: string;
  version: number;
  text: string;
}

export type PositionEncoding = 'utf-16' | 'utf-8' | 'utf-32';

const MAX_DOCUMENTS = 10_000;
const MAX_TEXT_BYTES = 512 * 1024 * 1024;

interface Position {
  line: number;
  character: number;
}

interface ContentChange {
  text: string;
  range?: { start: Position; end: Position };
}

export class SessionState {
  initializeParams: unknown;
  initializedParams: unknown = {};
  configuration: unknown;
  encoding: PositionEncoding = 'utf-16';
  /** The editor sent `shutdown` or `exit`: the server's exit that follows is expected. */
  shuttingDown = false;
  /** Documents that could not be tracked (limits, or a change that did not apply). */
  untracked = 0;
  private readonly documents = new Map<string, TrackedDocument>();
  private textLength = 0;

  /** The methods whose params `observe` needs (editor → server). */
  static readonly METHODS: ReadonlySet<string> = new Set([
    'initialize',
    'initialized',
    'shutdown',
    'exit',
    'workspace/didChangeConfiguration',
    'textDocument/didOpen',
    'textDocument/didChange',
    'textDocument/didClose',
  ]);

  /** One editor → server message of METHODS, with its params. Never throws: a strange message is skipped. */
  observe(method: string, params: unknown): void {
    try {
      this.apply(method, params as Record<string, unknown> | undefined);
    } catch {
      // A malformed message the server will also reject: nothing to replay.
    }
  }

  /** The server's answer to `initialize`: the position encoding it chose (LSP 3.17; UTF-16 before). */
  serverInitialized(result: unknown): void {
    const encoding = (result as { capabilities?: { positionEncoding?: unknown } } | undefined)?.capabilities?.positionEncoding;
    this.encoding = encoding === 'utf-8' || encoding === 'utf-32' ? encoding : 'utf-16';
  }

  openDocuments(): readonly TrackedDocument[] {
    return [...this.documents.values()];
  }

  document(uri: string): TrackedDocument | undefined {
    return this.documents.get(uri);
  }

  private apply(method: string, p: Record<string, unknown> | undefined): void {
    switch (method) {
      case 'initialize':
        this.initializeParams = p;
        return;
      case 'initialized':
        this.initializedParams = p ?? {};
        return;
      case 'shutdown':
      case 'exit':
        this.shuttingDown = true;
        return;
      case 'workspace/didChangeConfiguration':
        this.configuration = p;
        return;
      case 'textDocument/didOpen': {
        const d = p?.['textDocument'] as { uri?: unknown; languageId?: unknown; version?: unknown; text?: unknown } | undefined;
        if (typeof d?.uri !== 'string' || typeof d.text !== 'string' || typeof d.version !== 'number') return;
        this.forget(d.uri);
        if (this.documents.size >= MAX_DOCUMENTS || this.textLength + d.text.length > MAX_TEXT_BYTES) {
          this.untracked++;
          return;
        }
        this.documents.set(d.uri, { uri: d.uri, languageId: typeof d.languageId === 'string' ? d.languageId : '', version: d.version, text: d.text });
        this.textLength += d.text.length;
        return;
      }
      case 'textDocument/didChange': {
        const d = p?.['textDocument'] as { uri?: unknown; version?: unknown } | undefined;
        const doc = typeof d?.uri === 'string' ? this.documents.get(d.uri) : undefined;
        const changes = p?.['contentChanges'];
        if (doc === undefined || !Array.isArray(changes)) return;
        let text = doc.text;
        for (const change of changes as ContentChange[]) {
          if (typeof change?.text !== 'string' || (change.range !== undefined && !isRange(change.range))) {
            // A change we cannot apply: replaying this document would send the wrong text.
            this.forget(doc.uri);
            this.untracked++;
            return;
          }
          text = change.range === undefined ? change.text : applyEdit(text, change.range.start, change.range.end, change.text, this.encoding);
        }
        this.textLength += text.length - doc.text.length;
        doc.text = text;
        if (typeof d?.version === 'number') doc.version = d.version;
        return;
      }
      case 'textDocument/didClose': {
        const d = p?.['textDocument'] as { uri?: unknown } | undefined;
        if (typeof d?.uri === 'string') this.forget(d.uri);
        return;
      }
      default:
        return;
    }
  }

  private forget(uri: string): void {
    const doc = this.documents.get(uri);
    if (doc === undefined) return;
    this.textLength -= doc.text.length;
    this.documents.delete(uri);
  }
}

/** Replaces [start, end) of `text` (LSP positions in `encoding`) with `insert`. */
export function applyEdit(text: string, start: Position, end: Position, insert: string, encoding: PositionEncoding = 'utf-16'): string {
  const from = offsetOf(text, start, encoding);
  const to = Math.max(from, offsetOf(text, end, encoding));
  return text.slice(0, from) + insert + text.slice(to);
}

/**
 * The string index of an LSP position. A line past the end is the end of the text; a character past the
 * end of its line is the end of the line (the specification says so: the position is clamped). Line
 * ends are \n, \r\n or \r, as the specification counts them.
 */
export function offsetOf(text: string, position: Position, encoding: PositionEncoding = 'utf-16'): number {
  let lineStart = 0;
  for (let line = 0; line < position.line; line++) {
    const next = nextLineStart(text, lineStart);
    if (next < 0) return text.length;
    lineStart = next;
  }
  let lineEnd = lineStart;
  while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
  const character = Math.max(0, position.character);
  if (encoding === 'utf-16') return Math.min(lineStart + character, lineEnd);
  // UTF-8 bytes or code points: walk the line's code points.
  let units = 0;
  let i = lineStart;
  while (i < lineEnd && units < character) {
    const cp = text.codePointAt(i)!;
    units += encoding === 'utf-32' ? 1 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

function isRange(r: unknown): r is { start: Position; end: Position } {
  const p = (x: unknown) => typeof (x as Position)?.line === 'number' && typeof (x as Position)?.character === 'number';
  return p((r as { start?: unknown }).start) && p((r as { end?: unknown }).end);
}

function nextLineStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return i + 1;
    if (c === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  }
  return -1;
}
