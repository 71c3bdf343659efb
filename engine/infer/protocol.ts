/**
 * The stand-in wire format (see standin.c): a u32 length, then NUL-terminated
 * fields. Requests carry the tool name, cwd, argv and the environment; answers
 * say exit (with status and output) or exec (a real program).
 */
export interface ToolCall {
  /** The tool this call is to: gcc, cc, ar, ... (the stand-in's name, or the name the intercepted program is known by). */
  tool: string;
  /** The program the build ran, when the interceptor caught it by path (`/usr/bin/c++`); undefined for a stand-in found on PATH. */
  execPath?: string;
  /** argv[0] as the build gave it. */
  argv0: string;
  cwd: string;
  /** argv without argv[0]. */
  args: string[];
  env: Map<string, string>;
}

export type Answer =
  { kind: 'exit'; status: number; stdout: string; stderr: string } | { kind: 'exec'; path: string; pathVar: string; argv: string[] };

const MAGIC = 'burst-standin/2';
const MATERIALIZE = 'burst-materialize/1';

/** The interceptor's request: make these placeholders real before a program Burst did not model reads them. */
export interface MaterializeRequest {
  cwd: string;
  paths: string[];
}

export type Request = { kind: 'tool'; call: ToolCall } | { kind: 'materialize'; request: MaterializeRequest };

function fieldReader(body: Buffer): () => string {
  const fields = body.toString('utf8').split('\0');
  let i = 0;
  return () => {
    const f = fields[i++];
    if (f === undefined) throw new Error('truncated stand-in request');
    return f;
  };
}

export function parseAnyRequest(body: Buffer): Request {
  const next = fieldReader(body);
  const magic = next();
  if (magic === MATERIALIZE) {
    const cwd = next();
    const n = Number(next());
    return { kind: 'materialize', request: { cwd, paths: Array.from({ length: n }, next) } };
  }
  if (magic !== MAGIC) throw new Error('not a stand-in request (is an older stand-in on PATH?)');
  return { kind: 'tool', call: parseCall(next) };
}

function parseCall(next: () => string): ToolCall {
  const tool = next();
  const execPath = next();
  const cwd = next();
  const argc = Number(next());
  const argv = Array.from({ length: argc }, next);
  const envc = Number(next());
  const env = new Map<string, string>();
  for (let k = 0; k < envc; k++) {
    const e = next();
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return { tool, ...(execPath ? { execPath } : {}), argv0: argv[0] ?? tool, cwd, args: argv.slice(1), env };
}

export function encodeAnswer(a: Answer): Buffer {
  const fields =
    a.kind === 'exit' ? ['exit', String(a.status), a.stdout, a.stderr] : ['exec', a.path, a.pathVar, String(a.argv.length), ...a.argv];
  const body = Buffer.from(fields.map((f) => `${f.replace(/\0/g, '')}\0`).join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Reads framed requests from a socket's byte stream. */
export class FrameReader {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const n = this.pending.readUInt32LE(0);
      if (this.pending.length < 4 + n) break;
      frames.push(this.pending.subarray(4, 4 + n));
      this.pending = this.pending.subarray(4 + n);
    }
    return frames;
  }
}
