import { readFileSync } from 'node:fs'
import { parseReport } from '../../lib/bounces/parse-report.js'
import type { Report } from '../../lib/bounces/report.js'
import type { InboundMessage } from '../../lib/normalize/inbound-message.js'
import { normalizeMessage } from '../../lib/normalize/normalize.js'

/** The bytes of a message file, its document from the real normalizer, and the report parsed from both. */
export const reportOf = (path: string) => reportOfBytes(readFileSync(path))

/** A message's document from the real normalizer, and the report parsed from its bytes and that document. */
export async function reportOfBytes(raw: Buffer): Promise<{ raw: Buffer; doc: InboundMessage; report: Report | null }> {
  const { document: doc } = await normalizeMessage(raw, {
    id: 'bounce-1',
    mailbox: 'bounces',
    receivedAt: '2026-01-01T00:00:00.000Z',
    attachmentKey: (id, name) => `inbound/bounces/bounce-1/${id}/${name}`,
  })
  return { raw, doc, report: parseReport(raw, doc) }
}

/** Reads a tab-separated manifest whose fields may be double-quoted with inner quotes doubled (CSV rules, tab delimiter). */
export function readTsv(text: string): Array<Record<string, string>> {
  const [header, ...rows] = text.split('\n').filter((l) => l.trim())
  const names = header.split('\t')
  const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s)
  return rows.map((row) => Object.fromEntries(row.split('\t').map((v, i) => [names[i], unquote(v)])))
}
