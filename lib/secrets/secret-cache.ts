import type { Clock } from '../deps.js'
import type { SecretValue } from '../config/secret-ref.js'

/** Reads one SSM parameter's decrypted value; throws when it does not exist or cannot be read. */
export type ParameterReader = (name: string) => Promise<string>

/** Resolves the secrets of the config where they are used (mailbox password at connect, webhook secret at signing). */
export interface Secrets {
  /** The text of a secret: itself when given inline, else read at run time and cached. Throws what the reader throws. */
  text(value: SecretValue): Promise<string>
}

/**
 * Secret resolution with a cache of `ttlMs` per reference (a warm Lambda instance reads each parameter at most once
 * per TTL) and one read in flight per reference, however many polls ask at once. A failed read is not cached.
 * `reader` is loaded on first use, so a process that only holds inline secrets never loads the SSM client.
 */
export function createSecretCache(reader: () => Promise<ParameterReader>, clock: Clock, ttlMs: number): Secrets {
  const cache = new Map<string, { value: Promise<string>; until: number }>()
  return {
    async text(value) {
      if (typeof value === 'string') return value
      const hit = cache.get(value.ssm)
      if (hit && hit.until > clock.now()) return hit.value
      const read = reader().then((r) => r(value.ssm))
      cache.set(value.ssm, { value: read, until: clock.now() + ttlMs })
      read.catch(() => cache.get(value.ssm)?.value === read && cache.delete(value.ssm))
      return read
    },
  }
}
