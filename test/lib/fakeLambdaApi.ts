/**
 * Lambda's control-plane API (GetFunction, CreateFunction, UpdateFunctionCode,
 * UpdateFunctionConfiguration) on 127.0.0.1, for `burst deploy`. A stand-in
 * written for the tests because no local emulator implements these calls:
 * it checks what the SDK sends (signed requests, the fields deploy must set)
 * and keeps the function's state the way AWS reports it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: string;
}

export interface FakeLambdaApi {
  endpoint: string;
  requests: FakeRequest[];
  functions: Map<string, Record<string, unknown>>;
  /** The zip bytes of each function's code. */
  code: Map<string, Buffer>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startFakeLambdaApi(): Promise<FakeLambdaApi> {
  const requests: FakeRequest[] = [];
  const functions = new Map<string, Record<string, unknown>>();
  const code = new Map<string, Buffer>();
  const setCode = (name: string, zipBase64: string): void => {
    const zip = Buffer.from(zipBase64, 'base64');
    code.set(name, zip);
    const f = functions.get(name) as Record<string, unknown>;
    f.CodeSha256 = createHash('sha256').update(zip).digest('base64');
    f.CodeSize = zip.length;
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '').split('?')[0] as string;
      const authorization = String(req.headers.authorization ?? '');
      requests.push({ method: req.method ?? '', path, body, authorization });
      if (!authorization.startsWith('AWS4-HMAC-SHA256 Credential='))
        return send(res, 403, { message: 'unsigned request' }, 'AccessDeniedException');
      const m = /^\/2015-03-31\/functions(?:\/([^/]+))?(\/code|\/configuration)?\/?$/.exec(path);
      if (!m) return send(res, 404, { message: `no route ${req.method} ${path}` }, 'ResourceNotFoundException');
      const name = m[1] ? decodeURIComponent(m[1]) : undefined;
      if (req.method === 'POST' && !name) {
        const fn = String(body.FunctionName);
        if (functions.has(fn)) return send(res, 409, { message: 'exists' }, 'ResourceConflictException');
        for (const field of ['Role', 'Runtime', 'Handler', 'Code'])
          if (!body[field]) return send(res, 400, { message: `${field} is required` }, 'InvalidParameterValueException');
        const { Code, ...config } = body as { Code: { ZipFile: string } } & Record<string, unknown>;
        functions.set(fn, { ...config, FunctionName: fn, State: 'Active', LastUpdateStatus: 'Successful', PackageType: 'Zip' });
        setCode(fn, Code.ZipFile);
        return send(res, 201, functions.get(fn));
      }
      const f = name ? functions.get(name) : undefined;
      if (!f || !name) return send(res, 404, { Type: 'User', message: `Function not found: ${name}` }, 'ResourceNotFoundException');
      if (req.method === 'GET' && !m[2])
        return send(res, 200, { Configuration: f, Code: { RepositoryType: 'S3', Location: 'https://example.invalid' } });
      if (req.method === 'PUT' && m[2] === '/code') {
        setCode(name, String(body.ZipFile));
        if (Array.isArray(body.Architectures)) f.Architectures = body.Architectures;
        return send(res, 200, f);
      }
      if (req.method === 'PUT' && m[2] === '/configuration') {
        Object.assign(f, body);
        return send(res, 200, f);
      }
      return send(res, 404, { message: `no route ${req.method} ${path}` }, 'ResourceNotFoundException');
    })().catch((e: unknown) => send(res, 500, { message: String(e) }, 'ServiceException'));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    functions,
    code,
    close: () => new Promise((res) => server.close(() => res())),
  };
}
