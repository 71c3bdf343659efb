/** The Burst output channel: the engine's messages and what the extension did. */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Burst');

  line(text: string): void {
    this.channel.appendLine(text);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
