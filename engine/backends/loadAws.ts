/**
 * The AWS code (the Lambda backend, deploy) is a bundle of its own,
 * dist/aws.js, loaded only when a run or a command needs it: the SDK is
 * large and most starts do without it. It shares this bundle's engine
 * modules through the table imported here (see scripts/build.mjs).
 */
import 'burst:engine-modules';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as Aws from '../aws/index';
import { BurstError } from '../model/errors';

export type AwsModule = typeof Aws;

let loaded: AwsModule | undefined;

/** Beside the loading bundle (dist/cli.js, dist/server.js), or one folder up (dist/test/…). */
export function loadAws(): AwsModule {
  if (loaded) return loaded;
  const bundle = [join(__dirname, 'aws.js'), join(__dirname, '..', 'aws.js')].find((p) => existsSync(p));
  if (!bundle) throw new BurstError('usage', `the AWS part of Burst (aws.js) is missing beside ${__dirname}: run npm run build`);
  loaded = require(bundle) as AwsModule;
  return loaded;
}
