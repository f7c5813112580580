/** Yields to the event loop (one setImmediate turn) when called more than `sliceMs` after the last yield. */
export type Breather = () => Promise<void>

/**
 * A breather for one long computation: normalizing a large or hostile message takes seconds of CPU in all, and the
 * gateway's other work (HTTP, polls, webhooks) must go on meanwhile. Cheap to call often: it only yields once
 * `sliceMs` (ms) have passed.
 */
export function createBreather(sliceMs = 10): Breather {
  let last = performance.now()
  return async () => {
    if (performance.now() - last < sliceMs) return
    await new Promise<void>((resolve) => setImmediate(resolve))
    last = performance.now()
  }
}
