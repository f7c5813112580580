import { createHash } from 'node:crypto'

/** Mailboxes one poll instance polls at once: the poll queue's event source batch size (stacks/inbound.ts). */
export const POLL_BATCH = 10

/**
 * A mailbox's phase within its period (ms): a stable hash of its id, so mailboxes with the same schedule spread
 * over the period instead of all polling on the same tick, and every tick function agrees without reading state.
 */
export function pollPhaseMs(id: string, everyMs: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % everyMs
}

/**
 * The poll instant of a mailbox in the window (fromMs, toMs], or null when it has none: its instants are
 * phase + k × everyMs. A window at least one period long always holds one, so a tick that follows missed ticks
 * polls each mailbox once, not once per missed instant.
 */
export function pollDueIn(id: string, everyMs: number, fromMs: number, toMs: number): number | null {
  const phase = pollPhaseMs(id, everyMs)
  const instant = phase + Math.floor((toMs - phase) / everyMs) * everyMs
  return instant > fromMs ? instant : null
}
