import { expect, test } from 'vitest'
import { extractTextReply } from '../../lib/normalize/text-reply.js'

test.each([
  ['Gmail quote', 'Thanks, that works!\n\nOn Mon, Jan 1, 2024 at 10:00 AM Bob <bob@example.com> wrote:\n> Did it work?\n> \n> Bob\n', 'Thanks, that works!'],
  [
    'signature and Outlook original message',
    'Sounds good.\n\n-- \nAlice\nCEO\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n\nold text',
    'Sounds good.',
  ],
  [
    'Outlook From:/Sent: block',
    'Top line\r\n\r\nFrom: Bob <bob@example.com>\r\nSent: Monday, January 1, 2024 10:00 AM\r\nTo: Alice\r\nSubject: RE: x\r\n\r\nold',
    'Top line',
  ],
  ['German quote header', 'Hallo,\n\nja gerne.\n\nAm 01.01.2024 um 10:00 schrieb Bob <bob@example.com>:\n> Frage?', 'Hallo,\n\nja gerne.'],
  ['mobile signature', 'Yes.\n\nSent from my iPhone\n\n> On 1 Jan 2024, at 10:00, Bob <bob@example.com> wrote:\n> Question?', 'Yes.'],
  ['no quote at all', 'just text\nsecond line\n', 'just text\nsecond line'],
])('%s', (_what, text, reply) => {
  expect(extractTextReply(text)).toBe(reply)
})

test('null text gives null; a message that is all quote gives ""', () => {
  expect(extractTextReply(null)).toBeNull()
  expect(extractTextReply('> only\n> quoted\n')).toBe('')
})
