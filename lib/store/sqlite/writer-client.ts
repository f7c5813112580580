import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WriteOp, WriteResult } from './write-batch.js'
import type { FromWriter, ToWriter, WriterConfig } from './writer-protocol.js'

export interface WriterClient {
  /** Queues one op for the writer thread; resolves with its result once its transaction is committed. */
  write(op: WriteOp, transfer?: ArrayBuffer): Promise<WriteResult>
  /** Transactions committed (or rolled back) and ops they carried, since the start. */
  stats(): { commits: number; writes: number }
  /** Lets queued writes finish, then closes the writer's connection and ends the thread. */
  close(): Promise<void>
}

/**
 * Starts the writer thread. Run from TypeScript source (tsx, vitest), the thread registers tsx and imports
 * writer-thread.ts; from compiled JavaScript it loads the `.js` beside this module.
 */
function spawnWriter(config: WriterConfig): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./writer-thread.js', import.meta.url), { workerData: config })
  const entry = new URL('./writer-thread.ts', import.meta.url).href
  const tsx = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { eval: true, workerData: config, execArgv: [] })
}

/**
 * The main thread's side of the writer: ops made in one turn of the event loop go to the thread in one message
 * (bodies transferred, not copied); each op's promise settles when the writer reports its transaction. The thread
 * keeps the process alive only while writes are pending. If it dies, pending writes fail and the next write
 * starts a new one.
 */
export function startWriter(config: WriterConfig): WriterClient {
  let worker: Worker | null = null
  let nextId = 0
  const pending = new Map<number, { resolve(r: WriteResult): void; reject(e: Error): void }>()
  let outbox: { id: number; op: WriteOp }[] = []
  let transfers: ArrayBuffer[] = []
  let commits = 0
  let writes = 0
  let closed = false

  function failAll(err: Error) {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
    // Writes not yet sent were failed too: they must not reach the next thread.
    outbox = []
    transfers = []
    worker = null
  }

  function ensureWorker(): Worker {
    if (worker) return worker
    const w = spawnWriter(config)
    w.unref()
    w.on('message', (msg: FromWriter) => {
      commits++
      writes += msg.ids.length
      msg.ids.forEach((id, i) => {
        pending.get(id)?.resolve(msg.results[i])
        pending.delete(id)
      })
      if (pending.size === 0) w.unref()
    })
    w.on('error', (err) => {
      if (worker === w) failAll(new Error(`the sqlite writer thread failed: ${err.message}`, { cause: err }))
    })
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`the sqlite writer thread stopped (exit code ${code})`))
    })
    return (worker = w)
  }

  function send() {
    if (!outbox.length || !worker) return
    const jobs = outbox
    const transfer = transfers
    outbox = []
    transfers = []
    worker.postMessage({ type: 'write', jobs } satisfies ToWriter, transfer)
  }

  // Started now, not at the first write: it sweeps leftover files at start, and is ready when writes come.
  ensureWorker()
  return {
    write(op, transfer) {
      return new Promise<WriteResult>((resolve, reject) => {
        if (closed) return reject(new Error('the sqlite store is closed'))
        const w = ensureWorker()
        if (pending.size === 0) w.ref()
        const id = nextId++
        pending.set(id, { resolve, reject })
        if (outbox.length === 0) setImmediate(send)
        outbox.push({ id, op })
        if (transfer) transfers.push(transfer)
      })
    },
    stats: () => ({ commits, writes }),
    async close() {
      closed = true
      const w = worker
      if (!w) return
      send()
      worker = null // its exit is expected now
      w.ref()
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      w.postMessage({ type: 'close' } satisfies ToWriter)
      await exited
      failAll(new Error('the sqlite store was closed before this write was committed'))
    },
  }
}
