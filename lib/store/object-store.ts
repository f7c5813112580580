import type { Readable } from 'node:stream'

/**
 * The storage contract every driver (`fs`, `sqlite`, `s3`) passes: see test/store/contract.test.ts.
 * Keys are `/`-separated strings owned by lib/store/keys.ts; bodies are bytes.
 */
export interface PutOptions {
  /** `'*'`: create-only; the write fails with PreconditionFailedError when the key exists (S3 `If-None-Match: *`). */
  ifNoneMatch?: '*'
  /** Compare-and-swap: the write fails with PreconditionFailedError unless the current ETag equals this (S3 `If-Match`). */
  ifMatch?: string
  /** MIME type stored with the object; defaults to application/octet-stream. */
  contentType?: string
  /**
   * `false`: the write may be lost on a power failure (never on a process crash), for bookkeeping that can be
   * redone; the fs driver then skips fsync. S3 writes are always durable. Default `true`.
   */
  durable?: boolean
}

/** Options of a streamed write: unconditional, so only the type and durability. */
export type PutStreamOptions = Pick<PutOptions, 'contentType' | 'durable'>

export interface StoredObject {
  body: Buffer
  /** Opaque version tag, quoted as S3 returns it; pass to `put(..., { ifMatch })`. */
  etag: string
}

/** One listed object: its key and when it was last written (ms since the epoch; S3 `LastModified`, file mtime). */
export interface ListedObject {
  key: string
  lastModifiedMs: number
}

export interface ObjectStore {
  /** Reads an object; `null` when the key does not exist. Throws on I/O failure. */
  get(key: string): Promise<StoredObject | null>
  /** Writes an object and returns its new ETag. Throws PreconditionFailedError when a condition fails. */
  put(key: string, body: Buffer | Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>
  /**
   * Writes an object from a stream without holding it whole in memory (fs: a temp file; s3: a multipart upload
   * in parts of 5 MiB or more). The object appears at `key` only once the stream has ended without error: a
   * stream that errors (or a write that fails) leaves whatever was at `key` before. Returns the new ETag
   * (for S3 multipart uploads not an MD5 of the body). Unconditional: for large bodies keyed by their content.
   */
  putStream(key: string, body: Readable, options?: PutStreamOptions): Promise<{ etag: string }>
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>
  /**
   * Lists keys under a prefix in ascending byte order (as S3 ListObjectsV2 does).
   * `startAfter` skips keys up to and including it; `limit` caps the count (default: all).
   */
  list(prefix: string, options?: { startAfter?: string; limit?: number }): Promise<string[]>
  /** Like `list`, with each object's last-modified time, which S3 ListObjectsV2 returns at no extra request. */
  listEntries(prefix: string, options?: { startAfter?: string; limit?: number }): Promise<ListedObject[]>
  /**
   * A URL that reads the object for `expiresInS` seconds without credentials
   * (S3 presigned GET; the fs driver returns a `file://` URL, valid while the file exists).
   */
  urlFor(key: string, expiresInS: number): Promise<string>
  /** Releases what the driver holds (the sqlite driver's writer thread and connections); absent where nothing is held. */
  close?(): Promise<void>
}

/** Thrown when a conditional write's precondition fails (HTTP 412 on S3). */
export class PreconditionFailedError extends Error {
  readonly code = 'precondition_failed'
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`precondition failed for ${key}`, options)
    this.name = 'PreconditionFailedError'
  }
}

export const isPreconditionFailed = (err: unknown): err is PreconditionFailedError => err instanceof PreconditionFailedError

// Network failures to the store, and local disks or databases that cannot take an operation now.
const UNAVAILABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EBUSY',
  'EROFS',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
])

/**
 * Whether `err`, thrown by a driver, is the store being unavailable for now rather than a bug: S3 answering 5xx
 * (500 InternalError, 503 SlowDown) after the SDK's retries, a network failure or timeout on the way to it, or a
 * local disk or database that is full, busy or failing (Node and SQLite error codes).
 */
export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; $fault?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: unknown } } | null
  if (!e || typeof e !== 'object') return false
  if (e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500 || e.name === 'TimeoutError') return true
  const code = typeof e.code === 'string' ? e.code : e.cause?.code
  return typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR'))
}

/** Rejects keys that could escape a prefix or a folder: empty segments, `.`/`..`, backslashes, control characters. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    /[\\\u0000-\u001f\u007f]/.test(key) ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new Error(`unsafe object key: ${JSON.stringify(key)}`)
  }
}
