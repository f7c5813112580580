import { describe, expect, test } from 'vitest'
import type { Report } from '../../lib/bounces/report.js'
import { idFromMessageId, idFromVerp, matchCandidates } from '../../lib/feedback/match.js'

const ID = '01M8TQQAH0D6EJH2EM399J7TGW'
const report = (over: Partial<Report>): Report => ({
  kind: 'bounce',
  format: 'dsn',
  originalMessageId: null,
  originalMailFrom: null,
  originalEnvelopeId: null,
  deliveredTo: [],
  references: [],
  recipients: [],
  feedbackType: null,
  summary: null,
  ...over,
})

describe('linking a report to the message it answers', () => {
  test("a Message-ID Postern made gives its id back; anyone else's gives nothing", () => {
    expect(idFromMessageId(`<${ID.toLowerCase()}@postern.localhost>`, 'postern.localhost')).toBe(ID)
    expect(idFromMessageId(`<${ID.toLowerCase()}@POSTERN.localhost>`, 'postern.localhost')).toBe(ID)
    expect(idFromMessageId(`<${ID.toLowerCase()}@other.example>`, 'postern.localhost')).toBeNull()
    expect(idFromMessageId('<not-an-id@postern.localhost>', 'postern.localhost')).toBeNull()
  })

  test('a VERP address gives the id between the template parts, in any case, on its domain only', () => {
    const t = 'bounces+{id}@mail.example.com'
    expect(idFromVerp(`bounces+${ID.toLowerCase()}@mail.example.com`, t)).toBe(ID)
    expect(idFromVerp(`Bounces+${ID.toLowerCase()}@MAIL.example.com`, t)).toBe(ID)
    expect(idFromVerp(`bounces+${ID.toLowerCase()}@example.com`, t)).toBeNull()
    expect(idFromVerp(`bounces-${ID.toLowerCase()}@mail.example.com`, t)).toBeNull()
    expect(idFromVerp(`b-${ID.toLowerCase()}-x@mail.example.com`, 'b-{id}-x@mail.example.com')).toBe(ID)
  })

  test('candidates come in trust order: embedded Message-ID, then References, then VERP', () => {
    const other = '01M8TQQAH0D6EJH2EM399J7TGX'
    const third = '01M8TQQAH0D6EJH2EM399J7TGY'
    const r = report({
      originalMessageId: `<${ID.toLowerCase()}@postern.localhost>`,
      references: ['<foreign@example.com>', `<${other.toLowerCase()}@postern.localhost>`],
      deliveredTo: [`bounces+${third.toLowerCase()}@mail.example.com`],
    })
    expect(matchCandidates(r, { domain: 'postern.localhost', returnPath: 'bounces+{id}@mail.example.com' })).toEqual([
      { id: ID, matchedBy: 'message-id' },
      { id: other, matchedBy: 'references' },
      { id: third, matchedBy: 'verp' },
    ])
    // Without a returnPath, a VERP-looking address means nothing.
    expect(matchCandidates(report({ deliveredTo: [`bounces+${third.toLowerCase()}@mail.example.com`] }), { domain: 'postern.localhost' })).toEqual([])
  })
})
