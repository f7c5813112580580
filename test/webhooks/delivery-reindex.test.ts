import { describe, expect, test } from 'vitest'
import { putJson } from '../../lib/store/json.js'
import { webhookKeys } from '../../lib/store/keys.js'
import { reindexDeliveries } from '../../lib/webhooks/delivery-reindex.js'
import type { DeliveryRecord } from '../../lib/webhooks/delivery-record.js'
import { DRIVERS, opsApp } from './ops-harness.js'

/** A delivery record as versions before the index wrote it (no index entries, no event data). */
const legacy = (eventId: string, status: DeliveryRecord['status'], createdAt: string): DeliveryRecord => ({
  eventId,
  endpointId: 'app',
  type: 'message.sent',
  source: 'message:m1',
  sequence: 1,
  eventCreatedAt: createdAt,
  status,
  nextAttemptAt: 0,
  firstAttemptAt: 0,
  lease: null,
  deadReason: status === 'dead' ? '14 attempts failed; last: HTTP 500' : null,
  attempts: [
    {
      attempt: 1,
      at: createdAt,
      status: status === 'delivered' ? 200 : 500,
      latencyMs: 5,
      outcome: status === 'delivered' ? 'delivered' : 'retry',
      reason: null,
      responseHead: '',
    },
  ],
})

describe.each(DRIVERS)('reindex (webhook deliveries) on $name', (driver) => {
  test('indexes records written before the index, once however often it runs', async () => {
    const { store, close } = await driver.setup()
    try {
      await putJson(store, webhookKeys.delivery('app', 'msg_old1'), legacy('msg_old1', 'delivered', '2026-11-01T10:00:00.000Z'))
      await putJson(store, webhookKeys.delivery('app', 'msg_old2'), legacy('msg_old2', 'dead', '2026-11-02T10:00:00.000Z'))
      const ops = opsApp(store, {})
      const list = async (q = '') => (await ops.call('GET', `/v1/webhooks/deliveries${q}`)).json.data.map((d: { id: string }) => d.id)
      expect(await list()).toEqual([])
      expect(await reindexDeliveries(store)).toBe(2)
      expect(await reindexDeliveries(store)).toBe(2)
      expect(await list()).toEqual(['app:msg_old2', 'app:msg_old1'])
      expect(await list('?status=dead&endpoint=app')).toEqual(['app:msg_old2'])
      expect(await list('?status=succeeded')).toEqual(['app:msg_old1'])
      expect((await store.list('webhooks/index/')).length).toBe(8)
    } finally {
      await close()
    }
  })
})
