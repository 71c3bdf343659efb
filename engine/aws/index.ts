/**
 * The Lambda backend and deploy, as one bundle (dist/aws.js) that the CLI
 * loads only when a command needs AWS: the SDK is large, and most commands
 * start without it.
 */
import './sdkNotice';

export { LambdaBackend } from './lambdaBackend';
export {
  resolveArchitecture,
  resolveLambdaSettings,
  readWorkspaceConfig,
  WORKSPACE_CONFIG,
  type LambdaFlags,
  type LambdaSettings,
} from './config';
export { deploy, type DeployResult } from './deploy';
export { recordTrust, whereSettings, type WorkspaceTrust } from './workspaceTrust';
export { packageWorker, describeLauncher, HANDLER, type WorkerPackage } from './workerPackage';
