import { createHash, timingSafeEqual } from 'node:crypto'
import { domainToASCII } from 'node:url'
import type { ApiKeyConfig } from '../config/schema.js'
import { ApiError } from './errors.js'

/**
 * Finds the configured API key for an `Authorization: Bearer <token>` header (RFC 6750 §2.1).
 * Every configured hash is compared in constant time, so timing tells nothing about which key is near.
 * @throws ApiError missing_api_key (no bearer token) or invalid_api_key (no key matches).
 */
export function authenticate(header: string | undefined, keys: readonly ApiKeyConfig[]): ApiKeyConfig {
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? '')
  if (!m) throw new ApiError('missing_api_key', 'send an API key as "Authorization: Bearer <key>"', [], { 'WWW-Authenticate': 'Bearer' })
  const digest = createHash('sha256').update(m[1], 'utf8').digest()
  let found: ApiKeyConfig | undefined
  for (const key of keys) {
    const expected = Buffer.from(key.hash.slice('sha256:'.length), 'hex')
    if (timingSafeEqual(digest, expected) && !found) found = key
  }
  if (!found) throw new ApiError('invalid_api_key', 'the API key is not valid', [], { 'WWW-Authenticate': 'Bearer error="invalid_token"' })
  return found
}

/**
 * Whether a key may send from `address` (its domain already ASCII): an entry `a@example.com` allows that address,
 * `example.com` or `@example.com` the whole domain, compared case-insensitively with the entry's domain in ASCII
 * (IDNA punycode), so `@bücher.example` allows `a@xn--bcher-kva.example`. No list allows any sender.
 */
export function senderAllowed(key: ApiKeyConfig, address: string): boolean {
  if (!key.allowedFrom) return true
  const lower = address.toLowerCase()
  const domain = lower.slice(lower.lastIndexOf('@') + 1)
  return key.allowedFrom.some((rule) => {
    const at = rule.lastIndexOf('@')
    const ruleDomain = domainToASCII(rule.slice(at + 1)) || rule.slice(at + 1).toLowerCase()
    return at > 0 ? `${rule.slice(0, at).toLowerCase()}@${ruleDomain}` === lower : ruleDomain === domain
  })
}
