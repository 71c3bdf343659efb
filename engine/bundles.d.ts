declare module '*.c' {
  const source: string;
  export default source;
}

/** The engine modules dist/aws.js shares with the bundle that loads it (scripts/build.mjs). */
declare module 'burst:engine-modules';
