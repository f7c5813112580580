import { randomFillSync } from 'node:crypto'
import { monotonicFactory } from 'ulidx'

/**
 * A factory of Postern ids: monotonic ULIDs (26 Crockford base32 characters, time-sortable to the ms). Its random
 * part comes from the OS CSPRNG like ulidx's default, but read 4 KiB at a time: the default makes one
 * getRandomValues call per character, 16 per id, which showed in send-path profiles. `now`: the time source (ms).
 */
export function createIdFactory(now: () => number = Date.now): () => string {
  const pool = Buffer.alloc(4096)
  let next = pool.length
  // ulidx maps a PRNG value in [0, 1] onto its 32 characters, as it does with its own one-byte default.
  const prng = () => {
    if (next === pool.length) {
      randomFillSync(pool)
      next = 0
    }
    return pool[next++] / 0xff
  }
  const ulid = monotonicFactory(prng)
  return () => ulid(now())
}
