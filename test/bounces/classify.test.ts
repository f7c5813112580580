import { describe, expect, test } from 'vitest'
import { classifyRecipient, type RecipientFacts } from '../../lib/bounces/classify.js'

const facts = (f: Partial<RecipientFacts>): RecipientFacts => ({ action: 'failed', status: null, diagnosticCode: null, ...f })

describe('classifyRecipient applies its rules in order', () => {
  test.each([
    ['delivered, relayed and expanded recipients did not fail', facts({ action: 'delivered', status: '2.0.0' }), null],
    ['relayed', facts({ action: 'relayed', status: '2.0.0' }), null],
    ['expanded', facts({ action: 'expanded', status: '2.0.0' }), null],
    ['a delay is soft even with a class-5 status', facts({ action: 'delayed', status: '5.1.1' }), 'soft'],
    ['class 5 is hard', facts({ status: '5.2.2', diagnosticCode: 'mailbox full, try again later' }), 'hard'],
    ['class 4 is soft though the delivery was given up', facts({ status: '4.4.7', diagnosticCode: 'user unknown' }), 'soft'],
    ['a class-2 status on a failure is passed over for the reply code', facts({ status: '2.0.0', diagnosticCode: '550 no such user' }), 'hard'],
    ['no status: a 5yz reply is hard', facts({ diagnosticCode: '550 Unknown user kijitora@example.jp' }), 'hard'],
    ['no status: a 4yz reply is soft', facts({ diagnosticCode: '452 Too many recipients' }), 'soft'],
    ['no status: a 4yz after "said:" is soft', facts({ diagnosticCode: 'remote host 192.0.2.1 said: 421 service not available' }), 'soft'],
    ['the action `expired` alone is soft', facts({ reportedAction: 'expired' }), 'soft'],
    ['no code: time-outs are soft', facts({ diagnosticCode: 'Connection timed out' }), 'soft'],
    ['no code: queue expiry is soft', facts({ diagnosticCode: "I'm not going to try again; this message has been in the queue too long." }), 'soft'],
    ['no code: a full mailbox is soft (RFC 3463 X.2.2)', facts({ diagnosticCode: 'Mailbox full' }), 'soft'],
    ['no code: an unknown user is hard', facts({ diagnosticCode: 'The recipient name is not recognized' }), 'hard'],
    ['no code: permanent wording wins over transient wording', facts({ diagnosticCode: 'User unknown; connection closed' }), 'hard'],
    ['nothing in the diagnostic: the explanation says temporary', facts({ diagnosticCode: 'see above', explanation: 'This is a temporary failure.' }), 'soft'],
    ['nothing in the diagnostic: the explanation says permanent', facts({ explanation: 'This is a permanent error.' }), 'hard'],
    ['nothing said at all: hard', facts({ diagnosticCode: 'all relevant MX records point to non-existent hosts' }), 'hard'],
    ['no action and no status: hard', facts({ action: null }), 'hard'],
  ] as const)('%s', (_name, input, expected) => {
    expect(classifyRecipient(input)).toBe(expected)
  })
})
