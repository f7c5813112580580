/**
 * Delay before attempt `attempt + 1`, in ms: exponential from `baseMs`, capped at `maxMs`, with ±20 % jitter so
 * messages deferred together do not return together. A server's own hint wins when it asks for longer.
 */
export function retryDelayMs(attempt: number, opts: { baseMs: number; maxMs: number; random: () => number; hintMs?: number | null }): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1))
  const jittered = Math.round(exp * (0.8 + 0.4 * opts.random()))
  return Math.max(jittered, opts.hintMs ?? 0)
}
