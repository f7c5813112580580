import type { MailboxState, MailboxStateHandle } from './mailbox-state.js'

/**
 * The mailbox state's record of what a poll is working on (MailboxState.inFlight), so a message that fails every
 * time, or kills the poller, is passed after a bounded number of tries instead of stopping its mailbox for good.
 */
export interface InFlight {
  /** The message (see PoisonGuard.begin), or null while a poll runs in normal mode and names no one message. */
  key: string | null
  /** Failed tries of `key`: errors building or storing its document, and polls that died while on it. */
  tries: number
  /** Why the last try failed; null before any. */
  lastError: string | null
  /** True from the moment a poll started on `key` until it passed it or recorded how it failed. */
  running: boolean
}

export const DIED = 'the poll stopped while on it (killed, out of memory, or timed out)'

/**
 * Records that a poll starts on `key`, in careful mode. A record still `running` on the same key means the last
 * poll died there: that counts as a try. Returns the tries so far. Pure: the caller saves the state.
 */
export function beginMessage(state: MailboxState, key: string): InFlight {
  const prev = state.inFlight?.key === key ? state.inFlight : null
  const died = prev?.running === true
  state.inFlight = { key, tries: (prev?.tries ?? 0) + (died ? 1 : 0), lastError: died ? DIED : (prev?.lastError ?? null), running: true }
  return state.inFlight
}

/** Records a failed try of `key` (an error while building or storing its document); returns the tries so far. */
export function recordFailure(state: MailboxState, key: string, err: unknown): InFlight {
  const prev = state.inFlight?.key === key ? state.inFlight : null
  const lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  state.inFlight = { key, tries: (prev?.tries ?? 0) + 1, lastError, running: false }
  return state.inFlight
}

/** What the caller does with a message the guard has seen fail: store it raw-only with this `parseError`. */
export const poisonParseError = (f: InFlight) => `poison: ${f.lastError ?? 'unknown error'} (${f.tries} tries)`

/**
 * Poison-message handling for one poll (docs/inbound.md "Poison messages"). A poll starts in normal mode unless
 * the last one left `inFlight` behind (it died, or failed and could not say so): then it runs in careful mode,
 * one message at a time, recording each message before working on it, so a death is charged to the right one.
 *
 * A failure while building or storing a message's document is charged to it only when the state can be saved
 * afterwards: a store that is down is no message's fault, the poll fails and backs off, and nothing is skipped.
 */
export class PoisonGuard {
  readonly careful: boolean
  private started = false

  constructor(
    private readonly state: MailboxStateHandle,
    private readonly maxTries: number,
  ) {
    this.careful = state.value.inFlight !== undefined
  }

  /**
   * Call before working on a message (before fetching it in careful mode). Normal mode: the first call records
   * that a poll runs. Careful mode: records `key` (saved durably); returns the record when the message has failed
   * `maxTries` times and must be stored raw-only, else null. Throws when the state cannot be saved.
   */
  async begin(key: string): Promise<InFlight | null> {
    if (!this.careful) {
      if (this.started) return null
      this.started = true
      this.state.value.inFlight = { key: null, tries: 0, lastError: null, running: true }
      await this.state.save()
      return null
    }
    const f = beginMessage(this.state.value, key)
    await this.state.save()
    return f.tries >= this.maxTries ? f : null
  }

  /**
   * A message's document could not be built or stored. Returns the record when it has now failed `maxTries`
   * times (store it raw-only); rethrows `err` otherwise, or when the state cannot be saved (the store is down).
   */
  async failed(key: string, err: unknown): Promise<InFlight> {
    const f = recordFailure(this.state.value, key, err)
    try {
      await this.state.save()
    } catch {
      throw err
    }
    if (f.tries >= this.maxTries) return f
    throw err
  }

  /**
   * The poll stopped on an error of its own (connection, lease, store): nothing was charged to a message. Normal
   * mode forgets the poll; careful mode keeps the tries but marks the record not running. Best effort.
   */
  async interrupted(): Promise<void> {
    const f = this.state.value.inFlight
    if (!f || (!f.running && f.key !== null)) return
    if (f.key === null) delete this.state.value.inFlight
    else f.running = false
    await this.state.save().catch(() => {})
  }

  /** The poll went through every message: the record is dropped. Returns true when the caller must save the state. */
  finish(): boolean {
    if (this.state.value.inFlight === undefined) return false
    delete this.state.value.inFlight
    return true
  }
}
