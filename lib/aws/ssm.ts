// The one module that calls AWS Systems Manager (JSON 1.1 protocol, `X-Amz-Target: AmazonSSM.GetParameter`).
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import type { ParameterReader } from '../secrets/secret-cache.js'

/** Where the client connects: the AWS default chain when `endpoint` is absent (Lambda's role and AWS_REGION). */
export interface AwsClientOptions {
  region: string
  /** An SSM-compatible endpoint (tests); omit for AWS. */
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string }
}

/**
 * A reader of SSM parameters: GetParameter with `WithDecryption: true`, so a SecureString comes back as plain text
 * (the function's role needs `ssm:GetParameter` on it, and `kms:Decrypt` when a customer-managed key encrypts it).
 * @throws the SDK's `ParameterNotFound` (name in the message), `AccessDeniedException`, or a network error.
 */
export function createSsmReader(opts: AwsClientOptions): ParameterReader {
  const client = new SSMClient({ region: opts.region, endpoint: opts.endpoint, credentials: opts.credentials })
  return async (name) => {
    try {
      const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))
      const value = out.Parameter?.Value
      if (value === undefined) throw new Error('GetParameter answered without a value')
      return value
    } catch (err) {
      throw new Error(`cannot read SSM parameter ${name}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err })
    }
  }
}
