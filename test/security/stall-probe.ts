import { monitorEventLoopDelay } from 'node:perf_hooks'

const TICK_MS = 10

export interface StallFigures {
  /** Longest event-loop delay seen (perf_hooks.monitorEventLoopDelay), in ms: includes time the process waited for a core. */
  maxDelayMs: number
  /** Longest delay the process spent running (timer drift capped by the CPU time it used meanwhile), in ms. */
  maxBlockedMs: number
}

/**
 * Watches the event loop: monitorEventLoopDelay, plus a timer-drift probe that also reads the process's CPU time.
 * On a shared machine a late timer can mean the process was not scheduled; a delay during which the process used
 * as much CPU is the code holding the loop. `maxBlockedMs` is min(drift, CPU used) over the worst tick.
 */
export function startStallProbe(): { stop(): StallFigures } {
  const h = monitorEventLoopDelay({ resolution: TICK_MS })
  h.enable()
  let last = performance.now()
  let lastCpu = process.cpuUsage()
  let maxBlocked = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const cpu = process.cpuUsage(lastCpu)
    const drift = now - last - TICK_MS
    maxBlocked = Math.max(maxBlocked, Math.min(drift, (cpu.user + cpu.system) / 1000))
    last = now
    lastCpu = process.cpuUsage()
  }, TICK_MS)
  return {
    stop() {
      clearInterval(timer)
      h.disable()
      return { maxDelayMs: Math.round(h.max / 1e6), maxBlockedMs: Math.round(maxBlocked) }
    },
  }
}
