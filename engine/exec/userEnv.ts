/**
 * The environment of the commands Burst runs for the user (the build command
 * and what it runs). `bin/burst` moves NODE_EXTRA_CA_CERTS aside so Node
 * starts fast; everything the user runs gets it back under its own name.
 */
export function userEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { BURST_EXTRA_CA_CERTS: moved, ...rest } = env;
  return moved && rest.NODE_EXTRA_CA_CERTS === undefined ? { ...rest, NODE_EXTRA_CA_CERTS: moved } : rest;
}

/** The extra certificate file the user asked Node to trust, wherever the launcher put it. */
export function extraCaCertsFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BURST_EXTRA_CA_CERTS ?? env.NODE_EXTRA_CA_CERTS;
}
