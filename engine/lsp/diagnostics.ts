/**
 * Compiler diagnostics as LSP diagnostics, grouped by document: paths are
 * workspace-relative (mapped back from the sandbox by the build), or absolute
 * for files outside the workspace (system headers); lines and columns turn
 * from 1-based to 0-based.
 */
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver-protocol';
import type { Diagnostic } from './protocol';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

export function toLspDiagnostics(diagnostics: Diagnostic[], root: string): Map<string, LspDiagnostic[]> {
  const byUri = new Map<string, LspDiagnostic[]>();
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const uri = pathToFileURL(isAbsolute(d.file) ? d.file : join(root, d.file)).href;
    // The same message from a job run twice (a retry, a duplicate) is shown once.
    const key = `${uri}\0${d.line}\0${d.column}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = Math.max(0, d.line - 1);
    const character = Math.max(0, d.column - 1);
    const list = byUri.get(uri) ?? [];
    list.push({
      range: { start: { line, character }, end: { line, character } },
      severity: SEVERITY[d.severity],
      source: 'burst',
      message: d.message,
    });
    byUri.set(uri, list);
  }
  return byUri;
}
