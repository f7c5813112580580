import { expect, test } from 'vitest'
import {
  dataPrefixes,
  idempotencyKey,
  inboundMailboxKeys,
  inboundMessageKeys,
  localKeys,
  messageKeys,
  queueKeys,
  sandboxKeys,
  webhookKeys,
} from '../../lib/store/keys.js'

test('dataPrefixes covers every key of gateway data, and none of the local-mode files', () => {
  const m = messageKeys('01JABC')
  const i = inboundMessageKeys('box', 'm0')
  const data = [
    m.request,
    m.state,
    m.event(1),
    queueKeys.entry(0, '01JABC'),
    idempotencyKey('k', 'h'),
    i.raw,
    i.doc,
    i.stored,
    i.attachment('att-1', 'a.txt'),
    inboundMailboxKeys('box').state,
    inboundMailboxKeys('box').lease,
    webhookKeys.outbox('box', 1),
    webhookKeys.delivery('e', 'v'),
    webhookKeys.deadLetter('e', 'v'),
    webhookKeys.endpoint('e'),
  ]
  const covered = (key: string) => dataPrefixes.some((p) => key.startsWith(p))
  expect(data.filter((k) => !covered(k))).toEqual([])
  expect([localKeys.apiKey, sandboxKeys.message(0, 1).raw].filter(covered)).toEqual([])
})
