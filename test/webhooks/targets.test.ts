import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from 'vitest'
import { Config } from '../../lib/config/schema.js'
import { createGuardedFetch } from '../../lib/webhooks/guarded-fetch.js'
import { targetChecker } from '../../lib/webhooks/target-guard.js'
import { classifyAttempt } from '../../lib/webhooks/classify.js'

const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`
const configIssues = (url: string, allow?: boolean | string[]) => {
  const r = Config.safeParse({ webhooks: [{ id: 'app', url, secret }], ...(allow === undefined ? {} : { allowPrivateWebhookTargets: allow }) })
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])
}

describe('webhook targets (SSRF)', () => {
  test('loopback, private, link-local, metadata, reserved and mapped addresses are refused; public ones pass', () => {
    const check = targetChecker(false)
    for (const a of [
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::1',
    ])
      expect([a, check(a)]).toEqual([a, expect.stringContaining('private')])
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect([a, check(a)]).toEqual([a, null])
  })

  test('allowPrivateWebhookTargets allows everything (true) or the CIDRs listed', () => {
    expect(targetChecker(true)('127.0.0.1')).toBeNull()
    const some = targetChecker(['127.0.0.1/32', '10.0.0.0/8'])
    expect([some('127.0.0.1'), some('10.200.0.1'), some('127.0.0.2') !== null, some('192.168.0.1') !== null]).toEqual([null, null, true, true])
  })

  test('the config refuses address-literal URLs it would never reach, in every spelling, and localhost', () => {
    for (const url of [
      'http://127.0.0.1/h',
      'http://2130706433/h',
      'http://0x7f.1/h',
      'http://[::1]/h',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:a9fe:a9fe]/',
      'http://localhost:8080/h',
    ])
      expect(configIssues(url)).toEqual([['webhooks.0.url', expect.stringContaining('allowPrivateWebhookTargets')]])
    expect(configIssues('http://127.0.0.1/h', ['127.0.0.1/32'])).toEqual([])
    expect(configIssues('https://hooks.example.com/h')).toEqual([])
    expect(configIssues('https://hooks.example.com/h', ['10.0.0.0/33'])[0]).toEqual([
      'allowPrivateWebhookTargets.0',
      'must be a CIDR like 10.0.0.0/8 or an IP address',
    ])
  })

  test('a host name that resolves to loopback is refused at connect time, and no request reaches the server', async () => {
    let hits = 0
    const server = createServer((_req, res) => (hits++, res.end('ok')))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    try {
      const guarded = createGuardedFetch(false)
      // `localhost` is a name, so the check runs on what DNS (here /etc/hosts) answers, as on a rebinding attack.
      const err = await guarded(`http://localhost:${port}/hook`, { method: 'POST', body: '{}' }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(classifyAttempt({ error: err }, 0)).toMatchObject({
        kind: 'retry',
        status: null,
        reason: expect.stringMatching(/^refused target: localhost: (127\.0\.0\.1|::1) is a private/),
      })
      const literal = await guarded(`http://127.0.0.1:${port}/hook`).then(
        () => null,
        (e: unknown) => e,
      )
      expect(classifyAttempt({ error: literal }, 0)).toMatchObject({ reason: expect.stringMatching(/^refused target: 127\.0\.0\.1 is a private/) })
      expect(hits).toBe(0)
      // Allowed: the same request goes through.
      const allowed = await createGuardedFetch(['127.0.0.1/32', '::1/128'])(`http://localhost:${port}/hook`, { method: 'POST', body: '{}' })
      expect([allowed.status, await allowed.text(), hits]).toEqual([200, 'ok', 1])
    } finally {
      server.close()
    }
  })
})
