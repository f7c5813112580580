import { createHash, timingSafeEqual } from 'node:crypto'
import type { ApiKeyConfig } from '../config/schema.js'
import { ApiError } from '../errors.js'

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
