import { findReplyCode } from './status-codes.js'

/**
 * Wording that says a failure is permanent whatever else the text says: the address does not exist or is refused
 * (RFC 3463 X.1.x and X.7.x subjects in words), or the MTA says so itself ("This is a permanent error").
 */
const PERMANENT =
  /\b(?:user unknown|unknown (?:user|recipient|address|mailbox)|no such (?:user|recipient|mailbox|address)|(?:recipient|address|name) (?:is )?not recognized|not listed in|does ?n[o']t exist|invalid (?:recipient|address|mailbox)|(?:recipient|address) rejected|mailbox (?:unavailable|disabled|not found)|account (?:disabled|has been disabled)|access denied|relay(?:ing)? denied|permanent(?:ly)?)\b/i

/**
 * Wording of a transient cause (RFC 3463 class 4 in words): network and connection failures, time-outs, queue
 * expiry (an MTA gives up on a message only after retrying transient failures until its queue lifetime), greylisting and rate limits, and a full mailbox (RFC 3463 X.2.2 calls it a persistent transient failure).
 */
const TRANSIENT =
  /\b(?:timed? ?out|timeout|connection (?:refused|reset|closed|lost|dropped)|failed connect|could not connect|no route to host|(?:network|host) (?:is )?unreachable|temporar(?:y|ily)|try (?:again )?later|greylist(?:ed|ing)?|deferr?(?:ed|al)|(?:envelope |message )?expired|(?:in|on) the queue too long|too long in (?:the )?queue|too many (?:connections|messages)|rate limit(?:ed)?|throttl(?:ed|ing)|mailbox (?:is )?full|over ?quota|quota exceeded|insufficient (?:system )?storage)\b/i

/** Actions that say a recipient was dealt with successfully (RFC 3464 §2.3.3): nothing to classify. */
const NOT_FAILED = new Set(['delivered', 'relayed', 'expanded'])

export interface RecipientFacts {
  /** Mapped action (failed, delayed, delivered, relayed, expanded) or null. */
  action: string | null
  /** The action as the report wrote it, lower-case (`expired` is kept here while `action` says failed). */
  reportedAction?: string | null
  status: string | null
  diagnosticCode: string | null
  /** The report's own explanation (the text before any returned copy), used last. */
  explanation?: string | null
}

/**
 * Hard or soft, by the first rule that applies:
 * 1. action delivered, relayed or expanded: null (nothing failed);
 * 2. action delayed: soft (the MTA is still retrying);
 * 3. an RFC 3463 status: class 5 hard, class 4 soft (RFC 3463 §2: permanent vs persistent transient; a class 2
 *    status on a failure contradicts itself and is passed over);
 * 4. the SMTP reply code of the diagnostic (RFC 5321 §4.2.1): 5yz hard, 4yz soft;
 * 5. the action the report wrote was `expired` (the queue lifetime ran out: RFC 3463 X.4.7; an MTA retries only
 *    transient failures, so every attempt failed transiently): soft;
 * 6. the diagnostic's wording: PERMANENT hard, else TRANSIENT soft;
 * 7. the explanation's wording, the same way ("This is a permanent error", "Connection timed out");
 * 8. otherwise hard: a report that gives up without saying why is treated as permanent.
 */
export function classifyRecipient(r: RecipientFacts): 'hard' | 'soft' | null {
  if (r.action !== null && NOT_FAILED.has(r.action)) return null
  if (r.action === 'delayed') return 'soft'
  if (r.status?.startsWith('5')) return 'hard'
  if (r.status?.startsWith('4')) return 'soft'
  const reply = findReplyCode(r.diagnosticCode)
  if (reply !== null && reply >= 400) return reply >= 500 ? 'hard' : 'soft'
  if (r.reportedAction === 'expired') return 'soft'
  return fromWording(r.diagnosticCode) ?? fromWording(r.explanation ?? null) ?? 'hard'
}

function fromWording(text: string | null): 'hard' | 'soft' | null {
  if (!text) return null
  if (PERMANENT.test(text)) return 'hard'
  return TRANSIENT.test(text) ? 'soft' : null
}
