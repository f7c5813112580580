import type { StorePaths } from './body-files.js'
import type { WriteOp, WriteResult } from './write-batch.js'

/** What the writer thread is started with (worker_threads workerData). */
export interface WriterConfig {
  paths: StorePaths
  busyTimeoutMs: number
  /** A body file no row names is removed once it is this old (ms). */
  orphanAgeMs: number
  /** How often the writer sweeps leftover files (ms); it also sweeps once at start. */
  sweepEveryMs: number
  /** Most ops in one transaction; more wait for the next commit. */
  maxBatch: number
}

/** Main thread to writer. */
export type ToWriter = { type: 'write'; jobs: { id: number; op: WriteOp }[] } | { type: 'close' }

/** Writer to main thread: the results of one committed (or rolled back) transaction, in job order. */
export type FromWriter = { type: 'done'; ids: number[]; results: WriteResult[] }
