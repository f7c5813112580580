import { setTimeout as sleep } from 'node:timers/promises'
import type { ImapFlow } from 'imapflow'
import type { RawSource } from './store-raw.js'
import { toSequenceSet } from './sequence-set.js'

/** A message announced by SEARCH may not be fetchable yet (EmailEngine PR #210): wait this long, once. */
const REFETCH_DELAY_MS = 500
/** A batch of one message larger than this (bytes) is streamed with download() instead of FETCH. */
const STREAM_ABOVE_BYTES = 4 * 1024 * 1024
/** Partial FETCH size of download() (imapflow's default is 64 KiB): fewer round trips for large messages. */
const DOWNLOAD_CHUNK_BYTES = 1024 * 1024

export interface FetchedSource {
  source: Buffer
  internalDate: Date | string | undefined
}

/**
 * The bytes of a stream, copied into one buffer of `size` bytes (RFC822.SIZE) as they come: keeping the chunks and
 * concatenating them would hold the message twice. A size that is too small falls back to the chunks.
 */
async function readAll(stream: AsyncIterable<unknown>, size: number): Promise<Buffer> {
  let buf: Buffer | null = size > 0 ? Buffer.allocUnsafe(size) : null
  const chunks: Buffer[] = []
  let length = 0
  for await (const c of stream) {
    const chunk = c as Buffer
    if (buf && length + chunk.length <= buf.length) chunk.copy(buf, length)
    else {
      if (buf) chunks.push(buf.subarray(0, length))
      buf = null
      chunks.push(chunk)
    }
    length += chunk.length
  }
  return buf ? buf.subarray(0, length) : Buffer.concat(chunks, length)
}

/** A message of the selected folder read again as a stream, by UID, in partial fetches (imapflow download()). */
export const imapRawSource = (client: ImapFlow, uid: number): RawSource => ({
  async open() {
    const { content } = await client.download(String(uid), undefined, { uid: true, chunkSize: DOWNLOAD_CHUNK_BYTES })
    return content ?? null
  },
})

/**
 * Fetches the whole source (BODY.PEEK[]) of `uids` of the selected folder: one UID FETCH, or download() for a lone
 * message over 4 MiB. A UID the server does not return is asked again once after 500 ms; still missing, it is
 * left out of the result (expunged meanwhile).
 */
export async function fetchSources(
  client: ImapFlow,
  uids: number[],
  sizes: Map<number, number>,
  dates: Map<number, Date | string | undefined>,
): Promise<Map<number, FetchedSource>> {
  const fetched = new Map<number, FetchedSource>()
  for (let round = 0; round < 2; round++) {
    const missing = uids.filter((u) => !fetched.has(u))
    if (!missing.length) break
    if (round) await sleep(REFETCH_DELAY_MS)
    if (missing.length === 1 && (sizes.get(missing[0]) ?? 0) > STREAM_ABOVE_BYTES) {
      // One large message: imapflow's download() reads it in partial fetches, holding fewer copies.
      const content = await imapRawSource(client, missing[0]).open()
      if (content) fetched.set(missing[0], { source: await readAll(content, sizes.get(missing[0]) ?? 0), internalDate: dates.get(missing[0]) })
      continue
    }
    for await (const m of client.fetch(toSequenceSet(missing), { uid: true, source: true, internalDate: true }, { uid: true })) {
      if (m.source && uids.includes(m.uid)) fetched.set(m.uid, { source: m.source, internalDate: m.internalDate })
    }
  }
  return fetched
}
