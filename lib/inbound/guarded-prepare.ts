import type { Deps } from '../deps.js'
import type { FetchedMessage, PreparedMessage } from './ingest.js'
import { poisonParseError, type InFlight, type PoisonGuard } from './poison-guard.js'
import { storeRawOnly, type RawSource } from './store-raw.js'

/** `parseError` of a message stored raw-only because it is over `inbound.maxMessageBytes`. */
export const TOO_LARGE = 'too_large'

/**
 * Why a message must be stored raw-only (store-raw.ts) without being read whole: it has failed too often
 * (`quarantined`, from PoisonGuard.begin), or its declared size (bytes) is over `inbound.maxMessageBytes`.
 * Null when it is read and parsed as usual.
 */
export function rawOnlyReason(deps: Deps, size: number, quarantined: InFlight | null): string | null {
  if (quarantined) return poisonParseError(quarantined)
  return size > deps.config.inbound.maxMessageBytes ? TOO_LARGE : null
}

/**
 * Awaits a message's preparation (ingest.ts prepareMessage). A failure is charged to the message
 * (PoisonGuard.failed, which rethrows until the message has failed `poisonMaxTries` times or when the store is
 * down); then the message is stored raw-only from `source`, with `parseError` `poison: <error> (<n> tries)`.
 */
export async function preparedOrPoison(
  deps: Deps,
  mailbox: string,
  guard: PoisonGuard,
  key: string,
  prepared: Promise<PreparedMessage | null>,
  source: RawSource,
  meta: Omit<FetchedMessage, 'raw'>,
): Promise<PreparedMessage | null> {
  try {
    return await prepared
  } catch (err) {
    const f = await guard.failed(key, err)
    deps.logger.error({ mailbox, message: key, tries: f.tries, err: f.lastError }, 'message failed every try: storing it raw, with a header-only document')
    return storeRawOnly(deps, mailbox, source, meta, poisonParseError(f))
  }
}
