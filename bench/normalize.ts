/**
 * Normalizer benchmark: Postern's normalizeMessage against raw simpleParser (mailparser, default options) and raw
 * postal-mime on every .eml of the shared corpus (and its bounces/), in the same process and the same run. Rounds
 * alternate the three parsers; each round parses the whole corpus `passes` times per parser. Prints each parser's
 * msg/s (median of the rounds), the ratios, the CPU per message (user + system, µs), and how many hand-checked
 * MANIFEST facts each gets right (bench/normalize-facts.ts says which facts are comparable).
 * Usage: npm run bench:normalize [-- rounds=5 passes=10]
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import PostalMime from 'postal-mime'
import { normalizeMessage, type NormalizeContext } from '../lib/normalize/normalize.js'
import { CORPUS_FACTS } from '../test/normalize/corpus-facts.js'
import { countRight, fromMailparser, fromPostalMime, singleFacts, type Shaped } from './normalize-facts.js'

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? fallback)
const ROUNDS = arg('rounds', 5)
const PASSES = arg('passes', 10)
const CORPUS = process.env.POSTERN_CORPUS ?? join(import.meta.dirname, '../../shared/corpus')

const ctx: NormalizeContext = { id: 'bench', mailbox: 'bench', receivedAt: '2026-01-01T00:00:00.000Z', attachmentKey: (a, n) => `${a}/${n}` }
const emlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(dir, f)))
const messages = [...emlIn(CORPUS), ...emlIn(join(CORPUS, 'bounces'))]

const postern = async (raw: Buffer): Promise<Shaped> => {
  const r = await normalizeMessage(raw, ctx)
  return { doc: r.document, content: new Map(r.attachments.map((a) => [a.id, a.content])) }
}
const parsers: Record<string, (raw: Buffer) => Promise<Shaped | unknown>> = {
  postern: (raw) => normalizeMessage(raw, ctx),
  simpleParser: (raw) => simpleParser(raw),
  'postal-mime': (raw) => PostalMime.parse(raw),
}

interface Run {
  rate: number
  cpuUs: number
}
async function run(parse: (raw: Buffer) => Promise<unknown>): Promise<Run> {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let p = 0; p < PASSES; p++) for (const raw of messages) await parse(raw)
  const s = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const n = PASSES * messages.length
  return { rate: n / s, cpuUs: (cpu.user + cpu.system) / n }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

// Warm-up: one pass each, so the JIT and lazy requires are not in the first round.
for (const parse of Object.values(parsers)) for (const raw of messages) await parse(raw)

const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(parsers).map((k) => [k, []]))
for (let r = 0; r < ROUNDS; r++) {
  const order = Object.keys(parsers)
  if (r % 2) order.reverse()
  for (const name of order) runs[name].push(await run(parsers[name]))
}

// Facts: every MANIFEST entry, one fact per key; comparable keys for all three, every key for Postern.
let total = 0
let comparable = 0
const right: Record<string, number> = { postern: 0, simpleParser: 0, 'postal-mime': 0 }
let posternAll = 0
for (const entry of CORPUS_FACTS) {
  const raw = readFileSync(join(CORPUS, entry.file))
  const facts = singleFacts(entry, true)
  const all = singleFacts(entry, false)
  comparable += facts.length
  total += all.length
  const ours = await postern(raw)
  right.postern += await countRight(ours, facts, raw)
  posternAll += await countRight(ours, all, raw)
  right.simpleParser += await countRight(fromMailparser(await simpleParser(raw)), facts, raw)
  right['postal-mime'] += await countRight(fromPostalMime(await PostalMime.parse(raw)), facts, raw)
}

const base = median(runs.simpleParser.map((r) => r.rate))
const postal = median(runs['postal-mime'].map((r) => r.rate))
console.log(`corpus: ${messages.length} messages (${CORPUS}), ${ROUNDS} rounds x ${PASSES} passes per parser, median of rounds`)
for (const name of Object.keys(parsers)) {
  const rate = median(runs[name].map((r) => r.rate))
  const cpu = median(runs[name].map((r) => r.cpuUs))
  console.log(
    `${name.padEnd(12)} ${rate.toFixed(0).padStart(6)} msg/s  cpu ${cpu.toFixed(0).padStart(5)} µs/msg  facts right ${right[name]}/${comparable} comparable`,
  )
}
const ours = median(runs.postern.map((r) => r.rate))
console.log(`ratio postern / simpleParser: ${(ours / base).toFixed(2)} (target >= 0.8); postern / postal-mime: ${(ours / postal).toFixed(2)}`)
console.log(`postern, every MANIFEST fact (dsn, autoReply, bodyParts, enclosed messages, raw facts too): ${posternAll}/${total}`)
