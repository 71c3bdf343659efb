/**
 * Compiler-style diagnostics (`file:line:column: severity: message`) found in a
 * job's stderr, with paths made relative to the sandbox root, which mirrors the
 * workspace. Front ends turn these into terminal links or VS Code diagnostics.
 */
import { posix } from 'node:path';
import { SANDBOX_TOKEN } from './thunk';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, as compilers print it; 0 when the tool gave none. */
  column: number;
  severity: Severity;
  message: string;
  /** The thunk whose job reported it. */
  job?: string;
}

const LINE = /^(?<file>[^\s:][^:]*):(?<line>\d+):(?:(?<column>\d+):)? (?<severity>fatal error|error|warning|note): (?<message>.*)$/;

export function parseDiagnostics(stderr: string, cwd: string, job?: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const raw of stderr.split('\n')) {
    const m = LINE.exec(raw.trimEnd());
    if (!m?.groups) continue;
    const g = m.groups as Record<string, string | undefined>;
    const named = g.file as string;
    // A sandbox path spelled absolutely (worker.ts writes it with the token) is one of the tree, from the sandbox's root.
    const file = named.startsWith(`${SANDBOX_TOKEN}/`)
      ? posix.normalize(named.slice(SANDBOX_TOKEN.length + 1))
      : posix.normalize(posix.isAbsolute(named) ? named : posix.join(cwd || '.', named));
    found.push({
      file,
      line: Number(g.line),
      column: g.column === undefined ? 0 : Number(g.column),
      severity: g.severity === 'note' ? 'note' : g.severity === 'warning' ? 'warning' : 'error',
      message: g.message as string,
      ...(job === undefined ? {} : { job }),
    });
  }
  return found;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column > 0 ? `${d.column}:` : ''} ${d.severity}: ${d.message}`;
}
