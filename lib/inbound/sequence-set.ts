/** Compresses ascending UIDs into an IMAP sequence set (RFC 3501 §9 `sequence-set`): [1,2,3,7] → "1:3,7". */
export function toSequenceSet(uids: number[]): string {
  const parts: string[] = []
  for (let i = 0; i < uids.length; ) {
    let j = i
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++
    parts.push(j > i ? `${uids[i]}:${uids[j]}` : String(uids[i]))
    i = j + 1
  }
  return parts.join(',')
}

/**
 * Splits UIDs into fetch batches of at most `maxMessages` and at most `maxBytes` (by RFC822.SIZE), so memory
 * holds one batch; a message larger than `maxBytes` gets a batch of its own.
 */
export function batchUids(uids: number[], sizes: Map<number, number>, maxMessages: number, maxBytes: number): number[][] {
  const batches: number[][] = []
  let cur: number[] = []
  let bytes = 0
  for (const uid of uids) {
    const size = sizes.get(uid) ?? 0
    if (cur.length && (cur.length >= maxMessages || bytes + size > maxBytes)) {
      batches.push(cur)
      cur = []
      bytes = 0
    }
    cur.push(uid)
    bytes += size
  }
  if (cur.length) batches.push(cur)
  return batches
}
