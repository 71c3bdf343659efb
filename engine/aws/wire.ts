/**
 * Signed HTTP for the requests every job makes: S3 object reads and writes
 * and the Lambda Invoke. The SDK's per-request middleware costs 2 to 3 ms of
 * CPU a request; this path costs about 0.5 (measured against s3rver on
 * loopback), and the client makes several requests per job. What is not per
 * request stays the SDK's: the credentials (its default chain, which it
 * refreshes), the region, and the endpoint, which the SDK's own rules
 * resolve once per bucket or function (virtual-host or path style, FIPS,
 * dual-stack, a custom endpoint).
 */
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { extraCaCertsFile } from '../exec/userEnv';

export interface WireAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Keep-alive sockets for the SDK and for the wire alike, with the extra certificates the user gave Node (NODE_EXTRA_CA_CERTS, which bin/burst defers to here). */
export function agents(sockets: number): WireAgents {
  const ca = trustedCertificates();
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: sockets, ...(ca ? { ca } : {}) }),
  };
}

function trustedCertificates(): string[] | undefined {
  const file = extraCaCertsFile();
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch {
    return undefined; // as Node does: a missing extra file is not fatal
  }
}

export interface WireRequest {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  /** Already encoded, after the endpoint's own path. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

export interface WireResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Unread: the caller reads it (`readBody`) or streams it, and must do one or the other. */
  body: IncomingMessage;
}

/** An AWS error answer, shaped as the SDK's are (`name`, `$metadata.httpStatusCode`), so one set of checks serves both. */
export class AwsWireError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/** What the wire needs of an SDK client's resolved configuration. */
export interface SdkClientConfig {
  region: () => Promise<string>;
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}

type EndpointInstructions = Parameters<typeof getEndpointFromInstructions>[1];

export class SignedWire {
  private clockOffsetMs = 0;

  private constructor(
    private readonly base: URL,
    private readonly signer: SignatureV4,
    private readonly agents: WireAgents,
    private readonly timeoutMs: number,
  ) {}

  /** The endpoint and signing the SDK would use for `input` to `command`, then plain requests to it. */
  static async forCommand(
    config: SdkClientConfig,
    command: EndpointInstructions,
    input: object,
    service: string,
    agents: WireAgents,
    timeoutMs: number,
  ): Promise<SignedWire> {
    const endpoint = await getEndpointFromInstructions(input, command, config as never);
    const scheme = (
      endpoint.properties?.authSchemes as
        Array<{ name?: string; signingName?: string; signingRegion?: string; disableDoubleEncoding?: boolean }> | undefined
    )?.[0];
    if (scheme?.name !== undefined && scheme.name !== 'sigv4') {
      // S3 Express directory buckets and multi-region access points sign otherwise.
      throw new AwsWireError(
        'UnsupportedSigning',
        `${endpoint.url.host} needs ${scheme.name} signing, which Burst does not speak: use a general purpose bucket in one region`,
        0,
      );
    }
    if (!config.credentials) throw new AwsWireError('CredentialsProviderError', 'Could not load credentials from any providers', 0);
    const signer = new SignatureV4({
      credentials: config.credentials,
      region: scheme?.signingRegion ?? (await config.region()),
      service: scheme?.signingName ?? service,
      sha256: NodeSha256,
      // S3 signs the path as sent; other services sign it escaped once more.
      uriEscapePath: !(scheme?.disableDoubleEncoding ?? false),
      applyChecksum: false,
    });
    return new SignedWire(endpoint.url, signer, agents, timeoutMs);
  }

  async send(req: WireRequest, resent = false): Promise<WireResponse> {
    const basePath = this.base.pathname.replace(/\/$/, '');
    const [path, query] = `${basePath}${req.path}`.split('?', 2) as [string, string | undefined];
    const headers: Record<string, string> = { host: this.base.host, ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const offsetUsed = this.clockOffsetMs;
    const signed = await this.signer.sign(
      {
        method: req.method,
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        ...(this.base.port ? { port: Number(this.base.port) } : {}),
        path,
        query: parseQuery(query),
        headers,
        body: req.body,
      },
      { signingDate: new Date(Date.now() + offsetUsed) },
    );
    const response = await this.transmit(req, `${path}${query !== undefined ? `?${query}` : ''}`, signed.headers);
    if (response.status === 403 && !resent && this.learnClock(response.headers, offsetUsed)) {
      await readBody(response.body);
      return this.send(req, true); // signed again with the server's clock, as the SDK does
    }
    return response;
  }

  private transmit(req: WireRequest, path: string, headers: Record<string, string>): Promise<WireResponse> {
    const https = this.base.protocol === 'https:';
    return new Promise((resolve, reject) => {
      // Node wants an IPv6 literal without its brackets.
      const hostname = this.base.hostname.replace(/^\[(.*)\]$/, '$1');
      const options = {
        method: req.method,
        hostname,
        port: this.base.port || undefined,
        path,
        headers,
        agent: https ? this.agents.https : this.agents.http,
        signal: req.signal,
      };
      const sent = (https ? httpsRequest : httpRequest)(options, (res) =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      sent.setTimeout(this.timeoutMs, () =>
        sent.destroy(timedOut(`no answer from ${this.base.host} in ${Math.round(this.timeoutMs / 1000)} s`)),
      );
      sent.on('socket', (socket) => {
        // A long Invoke waits in silence: keep-alive probes keep a NAT or firewall from dropping the connection meanwhile.
        socket.setKeepAlive(true, 1000);
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => sent.destroy(timedOut(`could not connect to ${this.base.host} in ${CONNECT_TIMEOUT_MS / 1000} s`)),
          CONNECT_TIMEOUT_MS,
        );
        socket.once('connect', () => clearTimeout(timer));
        sent.once('close', () => clearTimeout(timer));
      });
      sent.on('error', reject);
      sent.end(req.body);
    });
  }

  /**
   * RequestTimeTooSkewed: the server's Date header says how far off this
   * machine's clock is. Judged against the offset the request was signed
   * with, so requests signed before it was learnt are resent too, and a clock
   * that is put right later takes the offset back to zero.
   */
  private learnClock(headers: IncomingHttpHeaders, offsetUsed: number): boolean {
    const date = headers.date ? Date.parse(headers.date) : Number.NaN;
    if (Number.isNaN(date)) return false;
    const offset = date - Date.now();
    if (Math.abs(offset - offsetUsed) < 5 * 60_000) return false;
    this.clockOffsetMs = Math.abs(offset) < 5 * 60_000 ? 0 : offset;
    return true;
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

function timedOut(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

export async function readBody(body: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The error an answer carries: S3's XML `<Code>`, or the JSON services' `x-amzn-errortype` header. */
export async function errorOf(res: WireResponse): Promise<AwsWireError> {
  const text = (await readBody(res.body)).toString('utf8');
  const headerType = String(res.headers['x-amzn-errortype'] ?? '').split(':')[0];
  const xml = (tag: string): string | undefined => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  let json: { message?: string; Message?: string; __type?: string } = {};
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    // S3 answers in XML, and a HEAD with no body at all
  }
  const name = headerType || xml('Code') || json.__type?.split('#').pop() || (res.status === 404 ? 'NotFound' : `HTTP${res.status}`);
  const message = xml('Message') ?? json.message ?? json.Message ?? (text.trim().slice(0, 300) || `status ${res.status}`);
  const bucketRegion = res.headers['x-amz-bucket-region'] ?? xml('Region');
  // A bucket in another region answers 301, with no body to a HEAD: the header names the region.
  return new AwsWireError(
    res.status === 301 && name.startsWith('HTTP') ? 'PermanentRedirect' : name,
    typeof bucketRegion === 'string' ? `${message} (the bucket is in ${bucketRegion})` : message,
    res.status,
  );
}

/** Worth another attempt: throttling, a server fault, or no answer at all. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof AwsWireError)
    return e.$metadata.httpStatusCode === 429 || e.$metadata.httpStatusCode >= 500 || /SlowDown|Throttl|RequestTimeout$/.test(e.name);
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET'].includes(
      (e as NodeJS.ErrnoException).code ?? '',
    ) || /socket hang up/.test((e as Error).message ?? '')
  );
}

/** A few attempts with full-jitter back-off, as the SDK's standard retry makes for S3. */
export async function withRetries<T>(attempt: () => Promise<T>, attempts = 3, baseMs = 100): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= attempts || !isRetryable(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * baseMs * 2 ** n));
    }
  }
}

function parseQuery(query: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query) return out;
  for (const [k, v] of new URLSearchParams(query)) out[k] = v;
  return out;
}

/** S3 keys as the SDK encodes them: each segment escaped, RFC 3986 style. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** The signer's hash, from Node's crypto. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    const s = this.secret;
    if (s === undefined) return createHash('sha256');
    return createHmac(
      'sha256',
      typeof s === 'string' ? s : ArrayBuffer.isView(s) ? new Uint8Array(s.buffer, s.byteOffset, s.byteLength) : new Uint8Array(s),
    );
  }
}
