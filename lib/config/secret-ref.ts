import { z } from 'zod'

/**
 * A secret read at run time from AWS Systems Manager Parameter Store: `{ "ssm": "/postern/prod/support" }`, a
 * parameter name (path form, letters, digits and `_.-/`, at most 2048 characters) or its ARN. A SecureString is
 * decrypted (GetParameter `WithDecryption`). Unlike `{ "env": NAME }`, which lib/config/load.ts replaces while
 * loading, this reference stays in the parsed config and is resolved where the secret is used (lib/secrets/).
 */
export const SsmRef = z.strictObject({
  ssm: z
    .string()
    .max(2048)
    .regex(/^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]+$/, 'must be an SSM parameter name like /postern/prod/support, or its ARN'),
})
export type SsmRef = z.infer<typeof SsmRef>

/** A secret as the config holds it: the value itself (or an `{ "env": NAME }` already replaced), or a run-time reference. */
export const SecretValue = z.union([z.string().min(1), SsmRef])
export type SecretValue = z.infer<typeof SecretValue>

/** A config value with a secret field resolved to its text. */
export type Resolved<T, K extends keyof T> = Omit<T, K> & { [P in K]: string }
