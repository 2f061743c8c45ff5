import * as protocol from 'vscode-languageserver-protocol';
import { describe, expect, it } from 'vitest';
import { foldMethod, LSP_METHODS } from '../../../src/lsp/methods.js';

/** Every `method` the protocol package declares on its request and notification namespaces. */
function protocolMethods(): Set<string> {
  const names = new Set<string>();
  for (const value of Object.values(protocol)) {
    const namespace = value as { method?: unknown; type?: { method?: unknown } } | undefined;
    for (const method of [namespace?.method, namespace?.type?.method]) if (typeof method === 'string') names.add(method);
  }
  return names;
}

describe('LSP method names', () => {
  it('keeps spec methods in both directions and folds the rest into other', () => {
    expect(foldMethod('textDocument/completion')).toBe('textDocument/completion');
    expect(foldMethod('workspace/configuration')).toBe('workspace/configuration');
    expect(foldMethod('window/workDoneProgress/create')).toBe('window/workDoneProgress/create');
    for (const m of ['$/cancelRequest', '$/progress', '$/setTrace', '$/logTrace']) expect(foldMethod(m)).toBe(m);
    expect(foldMethod('typescript/organizeImports')).toBe('other');
    expect(foldMethod('textDocument/Hover')).toBe('other');
    expect(foldMethod('')).toBe('other');
  });

  it('lists only names the protocol defines (the $/ base-protocol ones come from JSON-RPC)', () => {
    const known = protocolMethods();
    const unknown = [...LSP_METHODS].filter((m) => !known.has(m) && m !== '$/cancelRequest' && m !== '$/progress');
    expect(unknown).toEqual([]);
  });

  it('covers every 3.17 request and notification of the protocol package', () => {
    // Names the 3.18 package adds, or that are registration ids rather than methods on the wire.
    const after317 = new Set([
      'textDocument/rangesFormatting',
      'workspace/foldingRange/refresh',
      'textDocument/inlineCompletion',
      'workspace/textDocumentContent',
      'workspace/textDocumentContent/refresh',
      'textDocument/semanticTokens',
      'notebookDocument/sync',
    ]);
    const missing = [...protocolMethods()].filter((m) => m.includes('/') && !after317.has(m) && !LSP_METHODS.has(m));
    expect(missing).toEqual([]);
    expect(LSP_METHODS.size).toBe(90);
  });
});
