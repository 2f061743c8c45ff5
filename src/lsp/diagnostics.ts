/**
 * Current diagnostics per severity over all open documents, from `textDocument/publishDiagnostics`:
 * each publish replaces the document's previous set (an empty one clears it), and `textDocument/didClose`
 * forgets the document. Totals are kept incrementally so reading them is O(1).
 */
type Severity = 'error' | 'warning' | 'information' | 'hint';

export type SeverityCounts = Record<Severity, number>;

/** LSP DiagnosticSeverity 1..4; a missing or unknown severity counts as an error, as VS Code shows it. */
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

function severityOf(value: unknown): Severity {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 4 ? SEVERITIES[value - 1]! : 'error';
}

export class DiagnosticsTracker {
  private readonly byDocument = new Map<string, SeverityCounts>();
  private readonly total: SeverityCounts = { error: 0, warning: 0, information: 0, hint: 0 };

  publish(uri: string, severities: readonly unknown[]): void {
    this.forget(uri);
    if (severities.length === 0) return;
    const counts: SeverityCounts = { error: 0, warning: 0, information: 0, hint: 0 };
    for (const s of severities) counts[severityOf(s)]++;
    this.byDocument.set(uri, counts);
    for (const s of SEVERITIES) this.total[s] += counts[s];
  }

  close(uri: string): void {
    this.forget(uri);
  }

  totals(): SeverityCounts {
    return { ...this.total };
  }

  documents(): number {
    return this.byDocument.size;
  }

  clear(): void {
    this.byDocument.clear();
    for (const s of SEVERITIES) this.total[s] = 0;
  }

  private forget(uri: string): void {
    const previous = this.byDocument.get(uri);
    if (previous === undefined) return;
    this.byDocument.delete(uri);
    for (const s of SEVERITIES) this.total[s] -= previous[s];
  }
}
