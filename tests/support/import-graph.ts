import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of a module: the file it names, and whether it exists only for the type checker. */
interface ImportEdge {
  readonly to: string;
  readonly typeOnly: boolean;
}

/** Module → its relative imports, keyed by path relative to the root. */
export type ImportGraph = ReadonlyMap<string, readonly ImportEdge[]>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `import type {…}`, or `import { type A, type B }` with nothing else: erased from the emitted JS. */
function isTypeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (clause === undefined) return false; // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/**
 * The relative imports of every .ts file under `root`, read with the TypeScript parser (multi-line imports,
 * `export … from`, and dynamic `import('./x.js')` included). Package imports are outside the graph.
 */
export function importGraph(root: string): ImportGraph {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of tsFiles(root)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const edges: ImportEdge[] = [];
    const add = (specifier: string, typeOnly: boolean): void => {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) return; // packages, JSON
      edges.push({ to: relative(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))), typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, isTypeOnlyImport(node.importClause));
      else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier))
        add(node.moduleSpecifier.text, node.isTypeOnly);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg !== undefined && ts.isStringLiteral(arg)) add(arg.text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    graph.set(relative(root, file), edges);
  }
  return graph;
}

/**
 * Every cycle's modules as a path `a → b → … → a`, one per strongly connected component (Tarjan), each edge
 * marked `(type)` when only the type checker follows it.
 */
export function findCycles(graph: ImportGraph): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        connect(to);
        low.set(v, Math.min(low.get(v)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((component) => describeCycle(graph, new Set(component)));
}

/** One concrete cycle inside a strongly connected component: walk edges within it until a module repeats. */
function describeCycle(graph: ImportGraph, members: ReadonlySet<string>): string {
  const start = [...members].sort()[0]!;
  const path: string[] = [start];
  const seen = new Map<string, number>([[start, 0]]);
  for (let at = start; ;) {
    const edge = (graph.get(at) ?? []).find((e) => members.has(e.to))!;
    path.push(`${edge.typeOnly ? '(type) ' : ''}→ ${edge.to}`);
    const earlier = seen.get(edge.to);
    if (earlier !== undefined) return [path[earlier]!.replace(/^.*→ /, ''), ...path.slice(earlier + 1)].join(' ');
    seen.set(edge.to, path.length - 1);
    at = edge.to;
  }
}
