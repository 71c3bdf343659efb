/** What `burst audit` found, for a person: the CLI prints it, the editor shows it in its log. */
import type { AuditReport } from './audit';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The report for a person: one block per difference, then a line that counts. */
export function formatAudit(r: AuditReport & { of: string }): string {
  const lines: string[] = [];
  for (const d of r.differences) {
    lines.push(`DIFFERS ${d.job} (${d.program}): its output ${d.output}`);
    lines.push(`  cached ${d.cached}, made now ${d.rerun}`);
    lines.push(`  first difference at byte ${d.offset}: cached "${d.cachedAt}", now "${d.rerunAt}"`);
    const inputs = Object.entries(d.inputs).filter(([path]) => !path.startsWith('_burst/'));
    lines.push(`  inputs: ${inputs.map(([path, v]) => `${path}=${v}`).join(' ') || '(only its tools)'}`);
  }
  for (const f of r.failures) lines.push(`NOT CHECKED ${f.job}: ${f.message}`);
  const differing = new Set(r.differences.map((d) => d.job)).size;
  lines.push(
    `burst: audited ${r.audited.length} of ${plural(r.candidates, 'cached job')} of ${r.of}: ` +
      (differing === 0
        ? 'every output is the same'
        : `${plural(differing, 'job')} made different outputs (not deterministic, or a wrong cached result)`) +
      (r.failures.length > 0 ? `; ${r.failures.length} could not run again` : ''),
  );
  return `${lines.join('\n')}\n`;
}
