// The sqlite store's writer, on a worker thread: every write of the process goes through its one connection, so
// concurrent writes share a transaction and its fsync (group commit) while the main thread's event loop runs on.
import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { sweepFiles } from './body-files.js'
import { openDatabase } from './open-database.js'
import { createBatchWriter, type WriteOp } from './write-batch.js'
import type { FromWriter, ToWriter, WriterConfig } from './writer-protocol.js'

const config = workerData as WriterConfig
const port = parentPort!
const db = openDatabase(config.paths.db, { busyTimeoutMs: config.busyTimeoutMs })
const writer = createBatchWriter(db)
const referenced = db.prepare<[string], 1>('SELECT 1 FROM objects WHERE file = ?').pluck()

let queue: { id: number; op: WriteOp }[] = []
let scheduled = false
let closed = false

/**
 * Commits everything queued, `maxBatch` ops a transaction. Runs from setImmediate, after the thread has taken in
 * every message that arrived during the previous commit, so a burst lands in one transaction.
 */
function flush() {
  scheduled = false
  while (queue.length) {
    const jobs = queue.length <= config.maxBatch ? queue : queue.slice(0, config.maxBatch)
    queue = jobs === queue ? [] : queue.slice(jobs.length)
    const { results, freed } = writer.apply(jobs.map((j) => j.op))
    port.postMessage({ type: 'done', ids: jobs.map((j) => j.id), results } satisfies FromWriter)
    // After the commit: a crash before these unlinks leaves orphans for the sweep, never a row without its file.
    for (const name of freed) unlink(join(config.paths.bodies, name)).catch(() => {})
  }
}

let sweeping = false
async function sweep() {
  if (sweeping || closed) return
  sweeping = true
  try {
    await sweepFiles(config.paths, {
      isReferenced: (name) => referenced.get(name) !== undefined,
      orphanAgeMs: config.orphanAgeMs,
      now: Date.now,
      stopped: () => closed,
    })
  } catch {
    // A folder a person removed or a file vanishing under us: the next sweep tries again.
  } finally {
    sweeping = false
  }
}
const timer = setInterval(() => void sweep(), config.sweepEveryMs)
void sweep()

port.on('message', (msg: ToWriter) => {
  if (msg.type === 'write') {
    for (const job of msg.jobs) queue.push(job)
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
    return
  }
  // Messages arrive in order: every write sent before `close` is in the queue now.
  flush()
  closed = true
  clearInterval(timer)
  const close = () => {
    if (sweeping) return void setTimeout(close, 5)
    db.close()
    port.close()
  }
  close()
})
