import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP } from 'node:net'
import { targetChecker, type PrivateTargets } from './target-guard.js'

/** Raised (as a fetch's `cause`) when a webhook URL resolves to an address the config does not allow. */
export class BlockedTargetError extends Error {
  readonly code = 'EBLOCKEDTARGET'
  constructor(message: string) {
    super(message)
    this.name = 'BlockedTargetError'
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * The `fetch` webhook delivery uses: undici's, through an Agent whose connect-time DNS lookup refuses addresses
 * that targetChecker refuses. The check is on the address actually connected to, so a host name that resolves to a
 * private address, a literal such as `http://2130706433/`, a redirect (never followed anyway) or a DNS answer that
 * changes between checks (rebinding) are all caught at connect time. undici is loaded on first use.
 */
export function createGuardedFetch(allow: PrivateTargets): typeof fetch {
  const check = targetChecker(allow)
  let ready: Promise<typeof fetch> | null = null
  const load = async (): Promise<typeof fetch> => {
    const undici = await import('undici')
    const lookup = (hostname: string, options: object, cb: LookupCallback) => {
      // An IP literal host skips DNS in undici; undici still calls lookup for names only, so check literals here too.
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return cb(err, [])
        const list = addresses as LookupAddress[]
        const refused = list.map((a) => check(a.address)).find((why) => why !== null)
        if (refused) return cb(Object.assign(new BlockedTargetError(`${hostname}: ${refused}`), { errno: 0 }) as NodeJS.ErrnoException, [])
        if ((options as { all?: boolean }).all) return cb(null, list)
        cb(null, list[0].address, list[0].family)
      })
    }
    const agent = new undici.Agent({ connect: { lookup } })
    return ((input: string | URL | Request, init?: RequestInit) => {
      const host = new URL(typeof input === 'string' || input instanceof URL ? input : input.url).hostname.replace(/^\[|\]$/g, '')
      if (isIP(host)) {
        const refused = check(host)
        if (refused) return Promise.reject(new TypeError('fetch failed', { cause: new BlockedTargetError(refused) }))
      }
      return undici.fetch(input as never, { ...(init as object), dispatcher: agent } as never) as unknown as Promise<Response>
    }) as typeof fetch
  }
  return (input, init) => (ready ??= load()).then((f) => f(input, init))
}
