import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * URLs of the local gateway that read one object without an API key, like S3 presigned URLs: the path and query
 * carry `expires` (unix seconds) and `signature`, HMAC-SHA256 (RFC 2104) under the gateway's signing key of
 * `GET`, the path and the other query parameters sorted by name, base64url. docs/api.md "Signed URLs".
 */
export interface UrlSigner {
  /** Signs `path` (with any query of its own) on `baseUrl` for `expiresInS` seconds from now. */
  sign(path: string, expiresInS: number): string
  /** Checks a request's path and query: `ok`, `invalid` (no or a wrong signature) or `expired`. */
  verify(path: string, query: URLSearchParams): 'ok' | 'invalid' | 'expired'
}

/** What is signed: method, path and the query without `signature`, sorted by name then value. */
function canonical(path: string, query: URLSearchParams): string {
  const params = [...query.entries()].filter(([k]) => k !== 'signature').sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
  return `GET\n${path}\n${new URLSearchParams(params).toString()}`
}

/**
 * A signer over `key` (at least 32 bytes) for URLs on `baseUrl` (`http://127.0.0.1:3000`, no trailing slash;
 * read at each signing, so it may be set once the server listens). `now`: ms since the epoch.
 */
export function createUrlSigner(key: Buffer, baseUrl: () => string, now: () => number): UrlSigner {
  const mac = (text: string) => createHmac('sha256', key).update(text).digest()
  return {
    sign(path, expiresInS) {
      const url = new URL(path, 'http://signing.invalid')
      url.searchParams.set('expires', String(Math.floor(now() / 1000) + Math.max(1, Math.ceil(expiresInS))))
      url.searchParams.set('signature', mac(canonical(url.pathname, url.searchParams)).toString('base64url'))
      return `${baseUrl()}${url.pathname}${url.search}`
    },
    verify(path, query) {
      const given = Buffer.from(query.get('signature') ?? '', 'base64url')
      const expected = mac(canonical(path, query))
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
      const expires = Number(query.get('expires'))
      return Number.isSafeInteger(expires) && expires * 1000 > now() ? 'ok' : 'expired'
    },
  }
}
