import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, type ImportGraph } from '../../support/import-graph.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

// Type-only imports count: they are erased at runtime, so only a runtime cycle can leave a module half
// initialised, but a type cycle still ties two modules together (the reason issue 23 moved FeatureContext and
// Setting down a level), and src/ has none. A failure marks each type-only edge `(type)`, so a runtime cycle
// is told apart at a glance. Dynamic `import()` counts too: `serve` loads its features that way.
describe('src/ import graph', () => {
  it('has no import cycles', () => {
    const graph = importGraph(SRC);
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('commands/serve-features.ts')?.map((e) => e.to)).toContain('bridge/feature.ts');
    expect(findCycles(graph), 'import cycles in src/ (move the shared part into a module both can import)').toEqual([]);
  });

  it('finds a cycle and names its edges, type-only ones marked', () => {
    const graph: ImportGraph = new Map([
      ['a.ts', [{ to: 'b.ts', typeOnly: false }]],
      [
        'b.ts',
        [
          { to: 'c.ts', typeOnly: true },
          { to: 'd.ts', typeOnly: false },
        ],
      ],
      ['c.ts', [{ to: 'a.ts', typeOnly: false }]],
      ['d.ts', []],
      ['e.ts', [{ to: 'e.ts', typeOnly: false }]],
    ]);
    expect(findCycles(graph)).toEqual(['a.ts → b.ts (type) → c.ts → a.ts', 'e.ts → e.ts']);
  });
});
