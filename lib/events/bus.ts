import type { EventRecord } from './outbox.js'

/**
 * In-process listeners of recorded events: the local webhook dispatcher (to deliver at once), the event log, a
 * `tail`. A listener's failure is its own: it is logged by `onError`, never thrown into the path that recorded the
 * event (which is already durable).
 */
export interface EventBus {
  emit(record: EventRecord): void
  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: (record: EventRecord) => void): () => void
}

export function createEventBus(onError: (err: unknown) => void = () => {}): EventBus {
  const listeners = new Set<(record: EventRecord) => void>()
  return {
    emit(record) {
      for (const l of listeners) {
        try {
          l(record)
        } catch (err) {
          onError(err)
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
