/**
 * A loopback server that checks AWS Signature Version 4 the way AWS does,
 * written from the published algorithm and nothing of the SDK's (s3rver
 * accepts any v4 signature, so it cannot tell a wrong one). It keeps PUT
 * objects in memory and answers GET, HEAD, DELETE and Lambda's Invoke, so a
 * client can be run against it; every request's verdict is recorded.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Verdict {
  method: string;
  path: string;
  /** The signature is right (whatever the time it claims). */
  ok: boolean;
  why?: string;
  /** Signed more than 15 minutes away from the server's clock: refused with RequestTimeTooSkewed. */
  skewed?: boolean;
}

export interface SigV4Server {
  endpoint: string;
  verdicts: Verdict[];
  objects: Map<string, Buffer>;
  /** Answers the next `count` requests with this status and S3 error code instead of serving them. */
  failNext(count: number, status: number, code: string, headers?: Record<string, string>): void;
  /** Sets the server's clock this far from this machine's, as a client with a wrong clock sees it. */
  setClockSkew(ms: number): void;
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
/** RFC 3986 unreserved characters stay; everything else is %XX, upper case. */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A server for one account key and region, as AWS is for a request: it knows
 * which service a path belongs to. With `tls` (a PEM key and certificate) it
 * serves HTTPS.
 */
export async function startSigV4Server(
  accessKeyId: string,
  secret: string,
  region: string,
  tls?: { key: string; cert: string },
): Promise<SigV4Server> {
  const verdicts: Verdict[] = [];
  const objects = new Map<string, Buffer>();
  const failures: Array<{ status: number; code: string; headers?: Record<string, string> }> = [];
  let skewMs = 0;
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const now = new Date(Date.now() + skewMs);
      const why = checkSignature(req, body, { accessKeyId, secret, region });
      const skewed = why === undefined && Math.abs(signedAt(req) - now.getTime()) > 15 * 60_000;
      verdicts.push({
        method: req.method ?? '',
        path: req.url ?? '',
        ok: why === undefined,
        ...(why ? { why } : {}),
        ...(skewed ? { skewed } : {}),
      });
      if (why) return xmlError(res, 403, 'SignatureDoesNotMatch', why, now);
      if (skewed)
        return xmlError(
          res,
          403,
          'RequestTimeTooSkewed',
          'The difference between the request time and the current time is too large.',
          now,
          req.method === 'HEAD',
        );
      const failure = failures.shift();
      if (failure) return xmlError(res, failure.status, failure.code, 'injected', now, req.method === 'HEAD', failure.headers);
      serve(req, res, body, objects);
    });
  };
  const server: Server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    verdicts,
    objects,
    failNext: (count, status, code, headers) => {
      for (let i = 0; i < count; i++) failures.push({ status, code, ...(headers ? { headers } : {}) });
    },
    setClockSkew: (ms) => {
      skewMs = ms;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** x-amz-date (20261129T101500Z) as a time. */
function signedAt(req: IncomingMessage): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

function serviceOf(path: string): string {
  return path.startsWith('/2015-03-31/functions/') ? 'lambda' : 's3';
}

function serve(req: IncomingMessage, res: ServerResponse, body: Buffer, objects: Map<string, Buffer>): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (req.method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(path)) {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ echoed: JSON.parse(body.toString('utf8')) as unknown }));
    return;
  }
  if (req.method === 'PUT') {
    // As S3 since 2024: a conditional write never replaces an object.
    if (req.headers['if-none-match'] === '*' && objects.has(path))
      return xmlError(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', new Date(), false);
    objects.set(path, body);
    res.writeHead(200, { etag: '"x"' }).end();
    return;
  }
  const object = objects.get(path);
  if (req.method === 'DELETE') {
    objects.delete(path);
    res.writeHead(204).end();
    return;
  }
  if (!object) return xmlError(res, 404, 'NoSuchKey', 'The specified key does not exist.', new Date(), req.method === 'HEAD');
  res.writeHead(200, { 'content-length': object.length });
  res.end(req.method === 'HEAD' ? undefined : object);
}

function xmlError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  date: Date,
  noBody = false,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/xml', date: date.toUTCString(), ...headers });
  res.end(
    noBody
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<&]/g, ' ')}</Message></Error>`,
  );
}

/** Why the request's signature is wrong, or undefined if it is right. */
function checkSignature(
  req: IncomingMessage,
  body: Buffer,
  expected: { accessKeyId: string; secret: string; region: string },
): string | undefined {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization ?? ''),
    );
  if (!auth) return 'no SigV4 Authorization header';
  const [, keyId, day, region, service, signedHeaders, signature] = auth as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const url = new URL(req.url ?? '/', 'http://x');
  if (keyId !== expected.accessKeyId) return `unknown access key ${keyId}`;
  if (region !== expected.region) return `signed for ${region}, not ${expected.region}`;
  if (service !== serviceOf(url.pathname)) return `signed for ${service}, not ${serviceOf(url.pathname)}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day)) return 'x-amz-date does not match the credential scope';
  const names = signedHeaders.split(';');
  const mustSign = ['host', ...Object.keys(req.headers).filter((h) => h.startsWith('x-amz-'))];
  const unsigned = mustSign.filter((h) => !names.includes(h));
  if (unsigned.length > 0) return `not signed: ${unsigned.join(', ')}`;
  const declared = req.headers['x-amz-content-sha256'];
  if (service === 's3' && declared === undefined) return 'S3 requests must carry x-amz-content-sha256';
  const payloadHash = typeof declared === 'string' ? declared : sha256(body);
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'the payload hash does not match the body';
  // S3 signs the path as sent; every other service signs each segment encoded once more.
  const canonicalUri = service === 's3' ? url.pathname : url.pathname.split('/').map(uriEncode).join('/');
  const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const query = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ka, va], [kb, vb]) => byteOrder(ka, kb) || byteOrder(va, vb))
    .map(([k, v]) => `${k}=${v}`);
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [req.method, canonicalUri, query.join('&'), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${expected.secret}`, day), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === signature ? undefined : 'the signature does not match';
}
