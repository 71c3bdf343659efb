/**
 * The portable stand-in, for machines without a C compiler to build
 * standin.c: the same request and answer over the same socket, at the cost of
 * a Node start per call. Started as `node standin-node.js TOOL-PATH ARGS...`.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { basename } from 'node:path';

function frame(fields: string[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  return Buffer.concat([head, body]);
}

function main(): void {
  const socketPath = process.env.BURST_SOCKET;
  const [toolPath, ...args] = process.argv.slice(2);
  if (!socketPath || !toolPath) {
    process.stderr.write('burst stand-in: BURST_SOCKET is not set; run the build with `burst build -- ...`\n');
    process.exit(127);
  }
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}`);
  const request = frame([
    'burst-standin/2',
    basename(toolPath),
    '',
    process.cwd(),
    String(args.length + 1),
    toolPath,
    ...args,
    String(env.length),
    ...env,
  ]);
  const chunks: Buffer[] = [];
  const socket = connect(socketPath, () => socket.write(request));
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', (e) => {
    process.stderr.write(`burst stand-in: connect to the engine: ${e.message}\n`);
    process.exit(127);
  });
  socket.on('end', () => {
    const all = Buffer.concat(chunks);
    const fields = all
      .subarray(4, 4 + all.readUInt32LE(0))
      .toString('utf8')
      .split('\0');
    if (fields[0] === 'exit') {
      process.stdout.write(fields[2] ?? '');
      process.stderr.write(fields[3] ?? '');
      process.exitCode = Number(fields[1]);
      return;
    }
    const [, path, pathVar, count, ...argv] = fields;
    const n = Number(count);
    const r = spawnSync(path as string, argv.slice(1, n), { stdio: 'inherit', argv0: argv[0], env: { ...process.env, PATH: pathVar } });
    process.exit(r.status ?? 127);
  });
}

main();
