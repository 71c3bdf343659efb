/**
 * Restricted Mode (an untrusted workspace): VS Code hides this workspace's
 * values of the settings package.json lists as restricted (where builds send
 * code, which credentials and whose shared results they trust). Burst says
 * which ones this workspace sets, when the window opens, so that a build
 * using the user's own settings instead is no surprise, and offers to
 * manage trust.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import * as vscode from 'vscode';

function restrictedSettings(context: vscode.ExtensionContext): string[] {
  const caps = (context.extension.packageJSON as { capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: string[] } } })
    .capabilities;
  return caps?.untrustedWorkspaces?.restrictedConfigurations ?? [];
}

/**
 * The restricted settings this workspace's files set. In Restricted Mode
 * VS Code hides their values from extensions altogether (inspect() has no
 * workspace value), so the files themselves are read: each folder's
 * .vscode/settings.json and the .code-workspace file's "settings".
 */
async function ignoredHere(settings: string[]): Promise<string[]> {
  const files = (vscode.workspace.workspaceFolders ?? []).map((f) => ({
    uri: vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'),
    inner: false,
  }));
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile?.scheme === 'file') files.push({ uri: workspaceFile, inner: true });
  const set = new Set<string>();
  for (const { uri, inner } of files) {
    const text = await vscode.workspace.fs.readFile(uri).then(
      (bytes) => Buffer.from(bytes).toString('utf8'),
      () => '',
    );
    const parsed = parseJsonc(text) as Record<string, unknown> | undefined;
    const values = (inner ? parsed?.settings : parsed) as Record<string, unknown> | undefined;
    if (values && typeof values === 'object') for (const key of settings) if (values[key] !== undefined) set.add(key);
  }
  return settings.filter((k) => set.has(k));
}

export async function explainRestrictedMode(context: vscode.ExtensionContext): Promise<void> {
  if (vscode.workspace.isTrusted) return;
  const ignored = await ignoredHere(restrictedSettings(context));
  if (ignored.length === 0) return;
  void vscode.window
    .showWarningMessage(
      `Restricted Mode: Burst ignores this workspace's ${ignored.join(', ')} (where builds send code, with which credentials, and whose shared results they use); ` +
        "builds use your user settings instead, and .burst.json's say-so on these counts only once you trust the workspace.",
      'Manage Workspace Trust',
    )
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
}
