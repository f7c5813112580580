import { domainToASCII } from 'node:url'
import type { ApiKeyConfig } from '../config/schema.js'

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
