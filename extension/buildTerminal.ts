/**
 * A build as a task's terminal (CustomExecution): the engine runs the
 * command, its output streams here as it comes, and the terminal closes with
 * the build's exit status. Ctrl-C, or closing the terminal, cancels the run.
 */
import * as vscode from 'vscode';
import { offerFixes } from './errorAdvice';
import type { RunRequest, Runs } from './runs';

const LAUNCH_WINDOW_MS = 600;

export class BuildTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private runId: string | undefined;
  private done = false;
  private openedAt = 0;

  constructor(
    private readonly runs: Runs,
    private readonly request: RunRequest,
  ) {}

  open(): void {
    this.openedAt = Date.now();
    void this.run();
  }

  close(): void {
    if (!this.done && this.runId) this.runs.cancel(this.runId);
  }

  handleInput(data: string): void {
    if (data === '\x03' && this.runId) {
      this.write('^C\n');
      this.runs.cancel(this.runId);
    }
  }

  private write(text: string): void {
    this.writer.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private async run(): Promise<void> {
    this.write(`\x1b[1m> ${this.request.command.join(' ')}\x1b[0m (Burst, ${this.request.backend ?? 'configured'} backend)\n`);
    let code = 1;
    try {
      const outcome = await this.runs.run(
        this.request,
        (chunk) => this.write(chunk),
        (runId) => (this.runId = runId),
      );
      const r = outcome.report;
      for (const f of outcome.failures) this.write(`burst: ${f.path}: ${f.message}\n`);
      const where =
        Object.entries(r.byBackend)
          .map(([b, n]) => `${n} on ${b}`)
          .join(', ') || 'none run';
      this.write(
        `\nburst: ${r.thunks} jobs: ${r.executed} ran (${where}), ${r.cached} cached, ${r.failed} failed; ${(r.wallMs / 1000).toFixed(1)} s\n`,
      );
      for (const l of r.ranLocally) this.write(`burst: ${l.program} ran locally: ${l.reason}\n`);
      offerFixes(outcome.failures.map((f) => f.message));
      code = outcome.cancelled ? 130 : outcome.commandStatus !== 0 ? outcome.commandStatus : outcome.failures.length > 0 ? 1 : 0;
    } catch (e) {
      this.write(`\x1b[31mburst: ${(e as Error).message}\x1b[0m\n`);
      offerFixes([(e as Error).message]);
    }
    this.done = true;
    // VS Code calls a terminal that exits non-zero within its launch window (500 ms) one that "failed to launch": a build that failed fast is a failed build.
    const launchWindowLeft = LAUNCH_WINDOW_MS - (Date.now() - this.openedAt);
    if (code !== 0 && launchWindowLeft > 0) await new Promise((r) => setTimeout(r, launchWindowLeft));
    this.closer.fire(code);
  }
}
