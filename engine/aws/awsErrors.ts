/**
 * AWS failures as one clear message with the action that fixes it. Never
 * includes credentials: only the error's name, the resource and the advice.
 */
import { BurstError, errorMessage } from '../model/errors';
import type { LambdaSettings } from './config';

/** What was being done when AWS refused: the IAM action and the resource it was refused on. */
export interface AwsAttempt {
  action: string;
  resource: string;
}

export function explainAwsError(e: unknown, s: LambdaSettings, attempt?: AwsAttempt): BurstError {
  if (e instanceof BurstError) return e;
  const name = (e as { name?: string }).name ?? '';
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = `${name} ${errorMessage(e)}`;
  if (
    /CredentialsProviderError|Could not load credentials|ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/i.test(
      text,
    )
  ) {
    return new BurstError(
      'aws',
      `no valid AWS credentials${s.profile ? ` for profile ${s.profile}` : ''}: sign in (aws sso login, or aws configure) and run again`,
    );
  }
  if (/NoSuchBucket/.test(text) || (status === 404 && /bucket/i.test(text))) {
    return new BurstError(
      'aws',
      `the S3 bucket ${s.bucket} does not exist: run burst deploy (or Burst: Deploy Lambda Worker) to create it`,
    );
  }
  const region = /the bucket is in ([a-z0-9-]+)/.exec(text)?.[1];
  if (name === 'PermanentRedirect' || (name === 'AuthorizationHeaderMalformed' && region !== undefined)) {
    return new BurstError(
      'aws',
      `the S3 bucket ${s.bucket} is in ${region ?? 'another region'}, not ${s.region ?? 'the region configured'}: pass --region ${region ?? 'REGION'} (or set aws.region in .burst.json)`,
    );
  }
  if (name === 'ResourceNotFoundException' || /Function not found/i.test(text)) {
    return new BurstError('aws', `the Lambda function ${s.functionName} does not exist: run burst deploy (or Burst: Deploy Lambda Worker)`);
  }
  if (/AccessDenied|Forbidden|not authorized/i.test(text) || status === 403) {
    if (attempt) {
      return new BurstError(
        'aws',
        `access denied by AWS (${name || status}): the credentials in use may not ${attempt.action} on ${attempt.resource}; grant that action (see the policy in the README's AWS section)`,
      );
    }
    return new BurstError(
      'aws',
      `access denied by AWS (${name || status}): the credentials in use need s3:GetObject, s3:PutObject on ${s.bucket} and lambda:InvokeFunction on ${s.functionName}`,
    );
  }
  return new BurstError('aws', `AWS request failed: ${name ? `${name}: ` : ''}${errorMessage(e)}`);
}
