import { describe, expect, it } from 'vitest';
import { LabelGuard } from '../../../src/ingest/cardinality-guard.js';
import { LabelBounds, MAX_ERROR_CODES } from '../../../src/ingest/label-bounds.js';

describe('LabelGuard', () => {
  it('admits the first cap distinct values, remembers them, and folds later new ones', () => {
    const guard = new LabelGuard({ cap: 2 });
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => guard.admit(v))).toEqual(['a', 'b', 'a', 'other', 'b', 'other']);
    expect(guard.size).toBe(2);
  });

  it('lets "other" through without taking a slot', () => {
    const guard = new LabelGuard({ cap: 1 });
    expect(guard.admit('other')).toBe('other');
    expect(guard.admit('a')).toBe('a');
  });

  it('with an allowlist admits exactly its values, whatever the cap', () => {
    const guard = new LabelGuard({ cap: 1, allowlist: ['tsserver', 'pyright'] });
    expect(['tsserver', 'pyright', 'gopls', 'tsserver'].map((v) => guard.admit(v))).toEqual(['tsserver', 'pyright', 'other', 'tsserver']);
  });

  it('folds values with control characters', () => {
    const guard = new LabelGuard({ cap: 10 });
    expect(guard.admit('a\u0001b')).toBe('other');
    expect(guard.admit('line\nbreak')).toBe('other');
    expect(guard.size).toBe(0);
  });
});

describe('LabelBounds', () => {
  const make = (config = { max_label_values: 2, allowlists: {} }) => {
    const overflow: string[] = [];
    return { bounds: new LabelBounds(config, (metric) => overflow.push(metric)), overflow };
  };

  it('counts every fold against the metric it was meant for', () => {
    const { bounds, overflow } = make();
    expect(bounds.operation('a', 'm1')).toBe('a');
    expect(bounds.operation('b', 'm1')).toBe('b');
    expect(bounds.operation('c', 'm1')).toBe('other');
    expect(bounds.method('rust-analyzer/expandMacro', 'm2')).toBe('other');
    expect(bounds.method('textDocument/hover', 'm2')).toBe('textDocument/hover');
    expect(bounds.cache('other', 'm3')).toBe('other');
    expect(overflow).toEqual(['m1', 'm2']);
  });

  it('keeps server, operation and cache guards apart', () => {
    const { bounds } = make({ max_label_values: 1, allowlists: {} });
    expect([bounds.server('x', 'm'), bounds.operation('y', 'm'), bounds.cache('z', 'm')]).toEqual(['x', 'y', 'z']);
  });

  it('bounds error codes: unknown when absent, at most MAX_ERROR_CODES distinct', () => {
    const { bounds } = make();
    expect(bounds.errorCode(undefined, 'e')).toBe('unknown');
    expect(bounds.errorCode(-32603, 'e')).toBe('-32603');
    const codes = Array.from({ length: 100 }, (_, i) => bounds.errorCode(i, 'e'));
    expect(new Set(codes).size).toBe(MAX_ERROR_CODES);
    expect(codes.at(-1)).toBe('other');
  });

  it('keeps exit statuses 0–255 and signal names, folds the rest', () => {
    const { bounds, overflow } = make();
    expect([0, 1, 255, '0', 'SIGKILL', undefined].map((c) => bounds.exitCode(c, 'x'))).toEqual(['0', '1', '255', '0', 'SIGKILL', 'unknown']);
    expect([256, -1, 'boom', 'SIG'].map((c) => bounds.exitCode(c, 'x'))).toEqual(['other', 'other', 'other', 'other']);
    expect(overflow).toHaveLength(4);
  });
});
