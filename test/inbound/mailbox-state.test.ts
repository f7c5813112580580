import { afterEach, describe, expect, it } from 'vitest'
import { LeaseLostError } from '../../lib/inbound/lease.js'
import { loadMailboxState } from '../../lib/inbound/mailbox-state.js'
import { getJson } from '../../lib/store/json.js'
import { inboundMailboxKeys } from '../../lib/store/keys.js'
import type { ObjectStore, PutOptions } from '../../lib/store/object-store.js'
import { tempFsStore } from './harness.js'

/** A real fs store that records each put's key and durability, in order. */
function recording(inner: ObjectStore) {
  const puts: { key: string; durable: boolean }[] = []
  const store: ObjectStore = {
    ...inner,
    async put(key: string, body: Buffer | Uint8Array | string, options?: PutOptions) {
      puts.push({ key, durable: options?.durable !== false })
      return inner.put(key, body, options)
    },
  }
  return { store, puts }
}

const KEY = inboundMailboxKeys('box').state
let closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.map((c) => c()))
  closers = []
})
const fresh = async () => {
  const t = await tempFsStore()
  closers.push(t.close)
  return recording(t.store)
}

describe('mailbox state saves', () => {
  it('saveSoon folds calls made while a save waits into one write of the latest value, not fsync-ed', async () => {
    const { store, puts } = await fresh()
    const state = await loadMailboxState(store, 'box')
    state.value.folders.INBOX = { uidValidity: '7', lastUid: 1 }
    const first = state.saveSoon()
    // The first write has not started yet (it waits for a microtask), so these fold into it.
    state.value.folders.INBOX.lastUid = 2
    const second = state.saveSoon()
    state.value.folders.INBOX.lastUid = 3
    const third = state.saveSoon()
    expect(second).toBe(first)
    expect(third).toBe(first)
    await third
    expect(puts).toEqual([{ key: KEY, durable: false }])
    expect((await getJson(store, KEY))!.value).toEqual({ sequence: 0, folders: { INBOX: { uidValidity: '7', lastUid: 3 } } })
  })

  it('a saveSoon after a save writes after it, so the newer value is the one that stays', async () => {
    const { store, puts } = await fresh()
    const state = await loadMailboxState(store, 'box')
    state.value.sequence = 1
    const soon = state.saveSoon()
    state.value.sequence = 2
    const saved = state.save()
    state.value.sequence = 3
    const later = state.saveSoon()
    expect(later).not.toBe(soon)
    await Promise.all([soon, saved, later])
    expect(puts.map((p) => p.durable)).toEqual([false, true, false])
    expect((await getJson<{ sequence: number }>(store, KEY))!.value.sequence).toBe(3)
  })

  it('a write by another poll fails the next save with LeaseLostError', async () => {
    const { store } = await fresh()
    const state = await loadMailboxState(store, 'box')
    await state.save()
    const other = await loadMailboxState(store, 'box')
    other.value.sequence = 9
    await other.save()
    state.value.sequence = 1
    await expect(state.saveSoon()).rejects.toBeInstanceOf(LeaseLostError)
    await expect(state.save()).rejects.toBeInstanceOf(LeaseLostError)
    expect((await getJson<{ sequence: number }>(store, KEY))!.value.sequence).toBe(9)
  })
})
