import type { ApiKeyConfig } from './config/schema.js'
import { ApiError } from './errors.js'

/**
 * What an API key may do (config `apiKeys[].scopes`, docs/api.md "Scopes"):
 * - `send`: send, and read and cancel its own messages;
 * - `read`: read everything (messages of every key, inbound mail, webhook deliveries, mailboxes, suppressions);
 * - `admin`: `read`, plus retry, replay, endpoint enable, suppression changes and cancel of any key's message.
 * A key without `scopes` keeps the behaviour keys had before scopes: it sends, and when it is not limited to some
 * senders (`allowedFrom`) it is an operator's key with `send`, `read` and `admin`.
 */
export const SCOPES = ['send', 'read', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

/** Whether `key` holds `scope`; `admin` implies `read`. */
export function hasScope(key: Pick<ApiKeyConfig, 'scopes' | 'allowedFrom'>, scope: Scope): boolean {
  if (!key.scopes) return scope === 'send' || !key.allowedFrom
  if (scope === 'read') return key.scopes.includes('read') || key.scopes.includes('admin')
  return key.scopes.includes(scope)
}

/**
 * @throws ApiError insufficient_scope (HTTP 403) when `key` does not hold `scope`.
 */
export function requireScope(key: Pick<ApiKeyConfig, 'id' | 'scopes' | 'allowedFrom'>, scope: Scope, what: string): void {
  if (!hasScope(key, scope)) throw new ApiError('insufficient_scope', `this API key (${key.id}) needs the "${scope}" scope to ${what}`)
}
