/**
 * Every method name of the Language Server Protocol 3.17 specification, requests and notifications in
 * both directions. It bounds the `method` label: a name outside the spec (a server's private extension,
 * a typo, an attacker's random string) folds into `other`, so the label has at most this many values + 1.
 */
export const LSP_METHODS: ReadonlySet<string> = new Set([
  // Base protocol and lifecycle
  '$/cancelRequest',
  '$/progress',
  '$/setTrace',
  '$/logTrace',
  'initialize',
  'initialized',
  'shutdown',
  'exit',
  'client/registerCapability',
  'client/unregisterCapability',
  // Text and notebook document synchronisation
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/willSave',
  'textDocument/willSaveWaitUntil',
  'textDocument/didSave',
  'textDocument/didClose',
  'notebookDocument/didOpen',
  'notebookDocument/didChange',
  'notebookDocument/didSave',
  'notebookDocument/didClose',
  // Language features
  'textDocument/declaration',
  'textDocument/definition',
  'textDocument/typeDefinition',
  'textDocument/implementation',
  'textDocument/references',
  'textDocument/prepareCallHierarchy',
  'callHierarchy/incomingCalls',
  'callHierarchy/outgoingCalls',
  'textDocument/prepareTypeHierarchy',
  'typeHierarchy/supertypes',
  'typeHierarchy/subtypes',
  'textDocument/documentHighlight',
  'textDocument/documentLink',
  'documentLink/resolve',
  'textDocument/hover',
  'textDocument/codeLens',
  'codeLens/resolve',
  'workspace/codeLens/refresh',
  'textDocument/foldingRange',
  'textDocument/selectionRange',
  'textDocument/documentSymbol',
  'textDocument/semanticTokens/full',
  'textDocument/semanticTokens/full/delta',
  'textDocument/semanticTokens/range',
  'workspace/semanticTokens/refresh',
  'textDocument/inlayHint',
  'inlayHint/resolve',
  'workspace/inlayHint/refresh',
  'textDocument/inlineValue',
  'workspace/inlineValue/refresh',
  'textDocument/moniker',
  'textDocument/completion',
  'completionItem/resolve',
  'textDocument/publishDiagnostics',
  'textDocument/diagnostic',
  'workspace/diagnostic',
  'workspace/diagnostic/refresh',
  'textDocument/signatureHelp',
  'textDocument/codeAction',
  'codeAction/resolve',
  'textDocument/documentColor',
  'textDocument/colorPresentation',
  'textDocument/formatting',
  'textDocument/rangeFormatting',
  'textDocument/onTypeFormatting',
  'textDocument/rename',
  'textDocument/prepareRename',
  'textDocument/linkedEditingRange',
  // Workspace features
  'workspace/symbol',
  'workspaceSymbol/resolve',
  'workspace/configuration',
  'workspace/didChangeConfiguration',
  'workspace/workspaceFolders',
  'workspace/didChangeWorkspaceFolders',
  'workspace/willCreateFiles',
  'workspace/didCreateFiles',
  'workspace/willRenameFiles',
  'workspace/didRenameFiles',
  'workspace/willDeleteFiles',
  'workspace/didDeleteFiles',
  'workspace/didChangeWatchedFiles',
  'workspace/executeCommand',
  'workspace/applyEdit',
  // Window features
  'window/showMessage',
  'window/showMessageRequest',
  'window/showDocument',
  'window/logMessage',
  'window/workDoneProgress/create',
  'window/workDoneProgress/cancel',
  'telemetry/event',
]);

export const OTHER_METHOD = 'other';

/** The method itself when the 3.17 specification defines it, `other` otherwise. */
export function foldMethod(method: string): string {
  return LSP_METHODS.has(method) ? method : OTHER_METHOD;
}

export function isSpecMethod(method: string): boolean {
  return LSP_METHODS.has(method);
}
