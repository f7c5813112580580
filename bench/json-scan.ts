// The scans readJson runs around JSON.parse (lib/json/shape.ts, lib/json/duplicate-keys.ts), timed against
// JSON.parse of the same text in the same run: bodies whose strings are full of brackets, commas and colons (HTML),
// and a 20 MB attachment. Prints the ratio scan time / parse time; under 1 means the scans cost less than the parse.
import { duplicateKey } from '../lib/json/duplicate-keys.js'
import { jsonShapeProblem } from '../lib/json/shape.js'

const bodies = {
  'html with 1.2 M commas and brackets (9 MB)': JSON.stringify({ from: 'a@example.com', html: '<p>a, b, c, [d] {e}: f</p>'.repeat(400_000) }),
  '20 MB attachment, html with colons (27 MB)': JSON.stringify({
    from: 'a@example.com',
    html: '<p style="color: red">x</p>'.repeat(1000),
    attachments: [{ filename: 'a.bin', content: Buffer.alloc(20_000_000, 7).toString('base64') }],
  }),
}

const best = (f: () => void) => {
  let min = Infinity
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    f()
    min = Math.min(min, performance.now() - t)
  }
  return min
}

for (const [name, text] of Object.entries(bodies)) {
  const value = JSON.parse(text)
  const parse = best(() => JSON.parse(text))
  const scans = best(() => {
    jsonShapeProblem(text, 64, 100_000)
    duplicateKey(text, value)
  })
  console.log(`${name}: JSON.parse ${parse.toFixed(1)} ms, scans ${scans.toFixed(1)} ms, ratio ${(scans / parse).toFixed(2)}`)
}
