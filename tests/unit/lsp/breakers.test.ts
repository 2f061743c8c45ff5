import { describe, expect, it } from 'vitest';
import { Breakers, MAX_OPEN_BREAKERS } from '../../../src/lsp/breakers.js';

describe('Breakers', () => {
  it('matches methods and * patterns, never the lifecycle requests, and counts what it caught', () => {
    const b = new Breakers();
    expect(b.match('textDocument/hover')).toBeUndefined();
    b.openAll(['textDocument/*', 'workspace/symbol']);
    expect(b.match('textDocument/hover')).toBe('textDocument/*');
    expect(b.match('textDocument/semanticTokens/full')).toBe('textDocument/*');
    expect(b.match('workspace/symbol')).toBe('workspace/symbol');
    expect(b.match('workspace/symbolX')).toBeUndefined();
    expect(b.match('completionItem/resolve')).toBeUndefined();
    b.openAll(['*']);
    expect(b.match('shutdown')).toBeUndefined();
    expect(b.match('initialize')).toBeUndefined();
    expect(Object.fromEntries(b.answered)).toEqual({ 'textDocument/*': 2, 'workspace/symbol': 1 });
  });

  it('treats regex characters in a method literally', () => {
    const b = new Breakers();
    b.openAll(['a.b']);
    expect(b.match('aXb')).toBeUndefined();
    expect(b.match('a.b')).toBe('a.b');
  });

  it('closes by pattern, or all with *', () => {
    const b = new Breakers();
    b.openAll(['a', 'b', 'c']);
    b.closeAll(['b']);
    expect(b.patterns()).toEqual(['a', 'c']);
    b.closeAll(['*']);
    expect(b.size).toBe(0);
  });

  it('refuses to open more than its bound', () => {
    const b = new Breakers();
    expect(b.openAll(Array.from({ length: MAX_OPEN_BREAKERS }, (_, i) => `m${i}`))).toBe(true);
    expect(b.openAll(['one-more'])).toBe(false);
    expect(b.size).toBe(MAX_OPEN_BREAKERS);
  });
});
