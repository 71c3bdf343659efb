/**
 * A proxy in front of the Lambda server that answers some requests itself,
 * the way Lambda fails under load: 429 TooManyRequestsException, 500
 * ServiceException, or a connection dropped without an answer; and the way
 * the runtime reports a worker it stopped (out of time or memory): 200 with
 * X-Amz-Function-Error, which the loopback Lambda server cannot be made to
 * produce on demand. The rest pass through unchanged.
 */
import { createServer, request, type Server } from 'node:http';

export type Fault = 'throttle' | 'error' | 'drop' | 'timeout' | 'pass';

export interface FaultyProxy {
  endpoint: string;
  /** What each request got, in arrival order. */
  served: Fault[];
  close(): Promise<void>;
}

/** `plan[i]` is what the i-th request gets; requests past the plan pass. */
export async function startFaultyProxy(targetPort: number, plan: Fault[]): Promise<FaultyProxy> {
  const served: Fault[] = [];
  const server: Server = createServer((req, res) => {
    const fault = plan[served.length] ?? 'pass';
    served.push(fault);
    if (fault === 'throttle') {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      res.end(JSON.stringify({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ConcurrentInvocationLimitExceeded' }));
      return;
    }
    if (fault === 'error') {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
      res.end(JSON.stringify({ Type: 'Service', message: 'An internal error occurred.' }));
      return;
    }
    if (fault === 'timeout') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 300.00 seconds' }));
      return;
    }
    if (fault === 'drop') {
      req.resume();
      req.socket.destroy();
      return;
    }
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    served,
    close: () =>
      new Promise((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
