/**
 * The Testing panel's data, without the VS Code API (unit-tested in plain
 * Node): tests grouped by source file, and what a result shows: its
 * description in the tree and its failure message with location and diff.
 */
import type { ListedTest, TestResult } from '../engine/lsp/protocol';

/** Tests without a source file are grouped under their adapter's name. */
export function groupByFile(tests: ListedTest[]): Map<string, ListedTest[]> {
  const groups = new Map<string, ListedTest[]>();
  for (const t of tests) {
    const key = t.file ?? `(${t.adapter})`;
    const list = groups.get(key) ?? [];
    list.push(t);
    groups.set(key, list);
  }
  for (const list of groups.values()) list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.name.localeCompare(b.name));
  return groups;
}

/** Shown beside the test in the tree: where its result came from. */
export function resultDescription(r: TestResult): string {
  const where = r.cached ? 'cached' : r.ranOn ? `ran on ${r.ranOn}` : '';
  return [where, r.flaky ? 'flaky' : ''].filter(Boolean).join(' · ');
}

export interface FailureMessage {
  message: string;
  /** Workspace-relative; undefined when the framework did not say where. */
  file?: string;
  /** 1-based. */
  line?: number;
  expected?: string;
  actual?: string;
}

export function failureMessage(r: TestResult): FailureMessage {
  const file = r.failureFile ?? r.file;
  const line = r.failureLine ?? r.line;
  const flaky = r.flaky ? ' (flaky: it passed when run again)' : '';
  return {
    message: `${r.message ?? (r.status === 'errored' ? 'the test could not run' : 'failed')}${flaky}`,
    ...(file ? { file } : {}),
    ...(line ? { line } : {}),
    ...(r.expected !== undefined && r.actual !== undefined ? { expected: r.expected, actual: r.actual } : {}),
  };
}

/** Terminal text for the run's output: one header line per test, then its output. */
export function outputBlock(r: TestResult): string {
  const tags = resultDescription(r);
  const header = `── ${r.name}: ${r.status}${tags ? ` (${tags})` : ''}, ${r.durationMs} ms`;
  const body = r.output.trimEnd();
  return `${header}\n${body ? `${body}\n` : ''}`.replace(/\r?\n/g, '\r\n');
}
