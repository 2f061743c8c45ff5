import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdit, offsetOf, SessionState } from '../../../src/lsp/session-state.js';

const open = (uri: string, text: string, version = 1) => ({ textDocument: { uri, languageId: 'typescript', version, text } });

describe('SessionState', () => {
  it('tracks open documents through full and incremental changes and close', () => {
    const s = new SessionState();
    s.observe('initialize', { processId: 1, capabilities: {} });
    s.observe('textDocument/didOpen', open('file:///a.ts', 'const a = 1;\nconst b = 2;\n'));
    s.observe('textDocument/didChange', {
      textDocument: { uri: 'file:///a.ts', version: 2 },
      contentChanges: [
        { range: { start: { line: 1, character: 6 }, end: { line: 1, character: 7 } }, text: 'bee' },
        { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'export {};\n' },
      ],
    });
    expect(s.document('file:///a.ts')).toMatchObject({ version: 2, text: 'const a = 1;\nconst bee = 2;\nexport {};\n' });
    s.observe('textDocument/didChange', { textDocument: { uri: 'file:///a.ts', version: 3 }, contentChanges: [{ text: 'replaced' }] });
    expect(s.document('file:///a.ts')).toMatchObject({ version: 3, text: 'replaced' });
    s.observe('textDocument/didOpen', open('file:///b.ts', 'b'));
    s.observe('textDocument/didClose', { textDocument: { uri: 'file:///a.ts' } });
    expect(s.openDocuments().map((d) => d.uri)).toEqual(['file:///b.ts']);
    expect(s.initializeParams).toEqual({ processId: 1, capabilities: {} });
  });

  it('forgets a document whose change it cannot apply (the replay must not send wrong text)', () => {
    const s = new SessionState();
    s.observe('textDocument/didOpen', open('file:///a.ts', 'x'));
    s.observe('textDocument/didChange', { textDocument: { uri: 'file:///a.ts', version: 2 }, contentChanges: [{ range: { start: {} }, text: 'y' }] });
    expect(s.openDocuments()).toEqual([]);
    expect(s.untracked).toBe(1);
  });

  it('applies positions in the encoding the server chose (UTF-16 by default, UTF-8, UTF-32)', () => {
    const text = 'a😀b\nz';
    expect(applyEdit(text, { line: 0, character: 3 }, { line: 0, character: 4 }, 'B')).toBe('a😀B\nz');
    expect(applyEdit(text, { line: 0, character: 5 }, { line: 0, character: 6 }, 'B', 'utf-8')).toBe('a😀B\nz');
    expect(applyEdit(text, { line: 0, character: 2 }, { line: 0, character: 3 }, 'B', 'utf-32')).toBe('a😀B\nz');
    const s = new SessionState();
    s.serverInitialized({ capabilities: { positionEncoding: 'utf-8' } });
    expect(s.encoding).toBe('utf-8');
  });

  it('clamps positions past the end of a line or the text, and counts \\r\\n and \\r as line ends', () => {
    expect(offsetOf('ab\r\ncd\ref', { line: 1, character: 99 })).toBe(6);
    expect(offsetOf('ab\r\ncd\ref', { line: 2, character: 1 })).toBe(8);
    expect(offsetOf('ab', { line: 5, character: 0 })).toBe(2);
  });

  it('agrees with a naive line/column splice for any edit on ASCII text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ') }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.string(),
        (lines, l, c, len, insert) => {
          const text = lines.join('\n');
          const line = l % lines.length;
          const character = c % (lines[line]!.length + 1);
          const startOffset = lines.slice(0, line).reduce((n, x) => n + x.length + 1, 0) + character;
          const endChar = Math.min(character + (len % 3), lines[line]!.length);
          const expected = text.slice(0, startOffset) + insert + text.slice(startOffset + endChar - character);
          expect(applyEdit(text, { line, character }, { line, character: endChar }, insert)).toBe(expected);
        },
      ),
    );
  });

  it('notes that the editor is shutting down', () => {
    const s = new SessionState();
    s.observe('shutdown', undefined);
    expect(s.shuttingDown).toBe(true);
  });
});
