/**
 * An error whose message names its fix (the engine's AWS messages do: "run
 * burst deploy", "pass --bucket") becomes a notification with a button that
 * does it.
 */
import * as vscode from 'vscode';
import { rootCause } from './messages';

interface Fix {
  title: string;
  run(): Thenable<unknown>;
}

function fixesFor(message: string): Fix[] {
  const fixes: Fix[] = [];
  if (/burst deploy|Deploy Lambda Worker/.test(message))
    fixes.push({ title: 'Deploy Lambda Worker', run: () => vscode.commands.executeCommand('burst.deployWorker') });
  if (/no S3 bucket is configured|no AWS region is configured|must be an http\(s\) URL|burst\.[a-zA-Z.]+ must be/.test(message)) {
    fixes.push({ title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'burst.') });
  }
  if (/no valid AWS credentials/.test(message))
    fixes.push({ title: 'Show Log', run: () => vscode.commands.executeCommand('burst.showLog') });
  return fixes;
}

/** Shows the first message that has a fix, once, with its buttons. */
export function offerFixes(messages: string[]): void {
  for (const message of messages.map(rootCause)) {
    const fixes = fixesFor(message);
    if (fixes.length === 0) continue;
    void vscode.window
      .showErrorMessage(`Burst: ${message}`, ...fixes.map((f) => f.title))
      .then((choice) => fixes.find((f) => f.title === choice)?.run());
    return;
  }
}
