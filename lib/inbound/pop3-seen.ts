/** One message of a POP3 maildrop as LIST and UIDL (RFC 1939 §5, §7) name it in this session. */
export interface ListedMessage {
  /** Message number: valid in this session only; numbers shift after a DELE is committed. */
  number: number
  /** Size in octets, from LIST. */
  size: number
  /** Unique-id listing, or null when the server has no UIDL. */
  uidl: string | null
}

/**
 * The seen-record entry of a message: its UIDL and its size, `"<uidl> <size>"` (a UIDL is 0x21-0x7E, so it holds
 * no space). Some servers reuse UIDLs (the message number as UIDL), so a UIDL alone does not name one message.
 */
export const seenEntry = (m: ListedMessage & { uidl: string }) => `${m.uidl} ${m.size}`

/**
 * True when the message was stored by an earlier poll: its UIDL and size are in the seen record. An entry
 * without a size (written before sizes were recorded) matches by UIDL alone.
 */
export function isSeen(seen: ReadonlySet<string>, m: ListedMessage): boolean {
  return m.uidl !== null && (seen.has(seenEntry({ ...m, uidl: m.uidl })) || seen.has(m.uidl))
}

/** The seen record cut down to entries the server still lists: only those can come back. Order is kept. */
export function pruneSeen(entries: readonly string[], listed: readonly ListedMessage[]): string[] {
  const keep = new Set<string>()
  for (const m of listed) {
    if (m.uidl === null) continue
    keep.add(m.uidl)
    keep.add(seenEntry({ ...m, uidl: m.uidl }))
  }
  return entries.filter((e) => keep.has(e))
}
