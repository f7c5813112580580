import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { invertId } from '../../lib/logs/index-order.js'
import { withStatusIndex } from '../../lib/logs/message-index.js'
import type { MessageState, MessageStatus } from '../../lib/send/records.js'
import { createFsStore } from '../../lib/store/fs-store.js'
import { putJson } from '../../lib/store/json.js'
import { messageIndexKeys, messageKeys } from '../../lib/store/keys.js'
import { PreconditionFailedError, type ObjectStore } from '../../lib/store/object-store.js'

const ID = '01KB5Z3M2Q4R6T8V0W2Y4A6C8E'
let dir: string
let store: ObjectStore
let gets: string[]
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-status-index-'))
  const fs = createFsStore(dir)
  gets = []
  store = { ...fs, get: (k) => (gets.push(k), fs.get(k)) }
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const state = (status: MessageStatus) => ({ id: ID, status }) as MessageState
const entry = (status: MessageStatus) => messageIndexKeys.status(status) + invertId(ID)
const statusEntries = async () => (await store.list('indexes/messages/status/')).map((k) => k.split('/')[3])

test('a change moves the entry: the new one before the state, the old one after', async () => {
  await store.put(entry('queued'), '')
  const seen: string[][] = []
  await withStatusIndex(store, state('queued'), state('deferred'), false, async () => {
    seen.push(await statusEntries())
    await putJson(store, messageKeys(ID).state, state('deferred'))
  })
  expect(seen).toEqual([['deferred', 'queued']])
  expect(await statusEntries()).toEqual(['deferred'])
})

test('a lost compare-and-swap leaves the new entry for readers to skip, and the old one in place', async () => {
  await store.put(entry('queued'), '')
  const lost = withStatusIndex(store, state('queued'), state('sent'), false, async () => {
    throw new PreconditionFailedError(messageKeys(ID).state)
  })
  await expect(lost).rejects.toBeInstanceOf(PreconditionFailedError)
  expect(await statusEntries()).toEqual(['queued', 'sent'])
})

test('a concurrent change back to the old status keeps its entry (A→B, then B→A before the delete)', async () => {
  await store.put(entry('scheduled'), '')
  await withStatusIndex(store, state('scheduled'), state('queued'), true, async () => {
    await putJson(store, messageKeys(ID).state, state('queued'))
    // Another writer, having read `queued`, reschedules: its entry, then its state, before this one deletes.
    await store.put(entry('scheduled'), '')
    await putJson(store, messageKeys(ID).state, state('scheduled'))
  })
  expect(await statusEntries()).toEqual(['queued', 'scheduled'])
})

test('a change to a final status reads nothing back; an unchanged status writes no entry', async () => {
  await store.put(entry('deferred'), '')
  await withStatusIndex(store, state('deferred'), state('failed'), false, () => putJson(store, messageKeys(ID).state, state('failed')))
  expect(gets).toEqual([])
  expect(await statusEntries()).toEqual(['failed'])
  await withStatusIndex(store, state('failed'), state('failed'), false, () => putJson(store, messageKeys(ID).state, state('failed')))
  expect(await statusEntries()).toEqual(['failed'])
})
