/**
 * `burst keys generate`: the key pair that signs shared results. The private
 * half stays with writers (CI on a protected branch, a release machine); the
 * public half goes to every reader.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateSigningKeys } from '../api';

function defaultKeyDir(env: NodeJS.ProcessEnv): string {
  return env.BURST_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'burst');
}

export function addKeysCommand(
  program: Command,
  run: (fn: (o: { out?: string }) => Promise<number>) => (...args: unknown[]) => Promise<void>,
): void {
  program
    .command('keys')
    .description('the keys that sign results shared through a bucket')
    .command('generate')
    .description('write a new Ed25519 key pair: burst-signing.key (private, mode 0600) and burst-signing.pub (public)')
    .option('--out <dir>', 'where to write them (default: $BURST_CONFIG_DIR, else ~/.config/burst)')
    .action(run(generateCommand));
}

async function generateCommand(o: { out?: string }): Promise<number> {
  const dir = resolve(o.out ?? defaultKeyDir(process.env));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { keyFile, publicFile, id } = generateSigningKeys(dir);
  process.stdout.write(
    [
      `key ${id}`,
      `private: ${keyFile}`,
      `  keep it secret; a machine that writes shared results signs with it: BURST_SIGNING_KEY_FILE=${keyFile}`,
      `public:  ${publicFile}`,
      `  give it to every machine that reads them: BURST_TRUSTED_KEYS=${publicFile}`,
      '',
    ].join('\n'),
  );
  return 0;
}
