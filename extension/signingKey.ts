/**
 * The key that signs results this editor shares through a bucket. It lives
 * in VS Code's secret storage (the system keychain), never in settings or a
 * file of the workspace, and reaches the engine only inside a run's request.
 */
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { RunSettings } from './settingsModel';

const SECRET = 'burst.signingKey';
let secrets: vscode.SecretStorage | undefined;

export function registerSigningKey(context: vscode.ExtensionContext): void {
  secrets = context.secrets;
  context.subscriptions.push(
    vscode.commands.registerCommand('burst.setSigningKey', setSigningKey),
    vscode.commands.registerCommand('burst.clearSigningKey', async () => {
      await context.secrets.delete(SECRET);
      void vscode.window.showInformationMessage('Burst: the signing key is removed; results made here are no longer shared.');
    }),
  );
}

async function setSigningKey(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Burst: the private key that signs shared results (burst keys generate makes one)',
    canSelectMany: false,
    filters: { 'Burst signing key': ['key', 'pem'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  if (!file || !secrets) return;
  const pem = await fs.readFile(file.fsPath, 'utf8').catch(() => '');
  if (!/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\s*$/.test(pem)) {
    void vscode.window.showErrorMessage(`Burst: ${file.fsPath} is not a private key file (burst keys generate writes burst-signing.key).`);
    return;
  }
  await secrets.store(SECRET, pem);
  void vscode.window.showInformationMessage(
    'Burst: results this editor makes on Lambda are now signed with this key and shared. The editor keeps it in its secret storage.',
  );
}

/** The run's settings with the signing key, for a Lambda run; the key is checked by the engine, which names the problem if it is not one. */
export async function withSigningKey(settings: RunSettings): Promise<RunSettings> {
  if (settings.backend !== 'lambda' || !secrets) return settings;
  const pem = await secrets.get(SECRET);
  return pem ? { ...settings, aws: { ...settings.aws, signingKeyPem: pem } } : settings;
}
