import type { Deps } from '../deps.js'
import { needsSmtpUtf8 } from './address.js'
import { classifySmtpFailure, classifySmtpSuccess, type DeliveryOutcome, type SmtpError, type SmtpInfo } from './classify.js'
import { composeMail } from './compose.js'
import type { AcceptedRequest, RejectedRecipient } from './records.js'
import { relayExtensions } from './relay-capabilities.js'
import type { WrittenHook } from './transport.js'

/** What one attempt came to, and why it failed when that was decided before the wire. */
export type AttemptOutcome = DeliveryOutcome & { reason: string | null }

/** RFC 6531 §3.7.4.1: X.6.7, "non-ASCII addresses not permitted" for that sender or recipient. */
const NO_SMTPUTF8 = 'the relay does not offer SMTPUTF8 (RFC 6531), which this non-ASCII address needs'

const refusedBeforeWire = (recipient: string): RejectedRecipient => ({ recipient, reply: null, enhancedStatus: '5.6.7', response: NO_SMTPUTF8 })

/** An outcome decided without talking to the relay: every recipient refused for `reason`. */
function failedBeforeWire(recipients: string[], reason: string, response: string, rejected: RejectedRecipient[]): AttemptOutcome {
  return {
    kind: 'failed',
    reply: null,
    enhancedStatus: rejected[0]?.enhancedStatus ?? null,
    response,
    ambiguous: false,
    retryAfterMs: null,
    accepted: [],
    rejected: rejected.length ? rejected : recipients.map((recipient) => ({ recipient, reply: null, enhancedStatus: null, response })),
    deferredRecipients: [],
    relayProblem: null,
    reason,
  }
}

/**
 * Which recipients can go out when some address needs SMTPUTF8: all, when the relay offers it or no address needs
 * it; none, when an address in the headers needs it and the relay lacks it (the headers cannot be sent 7-bit);
 * else all but the non-ASCII envelope-only (Bcc) recipients, which are refused with X.6.7.
 */
async function smtpUtf8Plan(deps: Deps, record: AcceptedRequest, recipients: string[]): Promise<{ send: string[]; refused: string[] } | 'unreachable'> {
  const r = record.request
  const headerAddresses = [r.from, ...r.to, ...(r.cc ?? []), ...(r.replyTo ?? [])].map((m) => m.address)
  const inHeaders = headerAddresses.some(needsSmtpUtf8)
  const inEnvelope = recipients.filter(needsSmtpUtf8)
  if ((!inHeaders && !inEnvelope.length) || !deps.config.relay) return { send: recipients, refused: [] }
  let offered: boolean
  try {
    offered = (await relayExtensions(deps.config.relay, deps.clock.now())).has('SMTPUTF8')
  } catch {
    return 'unreachable'
  }
  if (offered) return { send: recipients, refused: [] }
  if (inHeaders) return { send: [], refused: recipients }
  return { send: recipients.filter((a) => !needsSmtpUtf8(a)), refused: inEnvelope }
}

/**
 * One SMTP transaction for `recipients` of `record`, through the pooled relay, with `date` as the Date header.
 * Never throws for what the relay does: every outcome is classified (classify.ts). Recipients that cannot be sent
 * to without SMTPUTF8 on a relay that lacks it fail permanently (reason `smtputf8_unsupported`), never go out raw.
 */
export async function attemptSend(deps: Deps, record: AcceptedRequest, recipients: string[], date: Date): Promise<AttemptOutcome> {
  if (!deps.relay) return { ...classifySmtpFailure({ code: 'ECONNECTION', message: 'no SMTP relay is configured' }), reason: null }
  const plan = await smtpUtf8Plan(deps, record, recipients)
  if (plan === 'unreachable')
    return { ...classifySmtpFailure({ code: 'ECONNECTION', message: 'the relay could not be reached to ask for SMTPUTF8' }), reason: null }
  const refused = plan.refused.map(refusedBeforeWire)
  if (!plan.send.length) return failedBeforeWire(recipients, 'smtputf8_unsupported', NO_SMTPUTF8, refused)
  const mail = composeMail(record, { date, recipients: plan.send, returnPath: deps.config.returnPath })
  // nodemailer composes the message once, from options fixed at acceptance and at the first attempt (Message-ID,
  // Date, boundaries from the id), so every attempt sends the same bytes. When the composed message has been read to
  // its end, all of it has gone to the relay, and a drop from then on is ambiguous.
  let messageWritten = false
  const onWritten = () => (messageWritten = true)
  let outcome: DeliveryOutcome
  try {
    const info = (await deps.relay.sendMail({ ...mail, onWritten } as typeof mail & WrittenHook)) as SmtpInfo
    outcome = classifySmtpSuccess(info)
  } catch (err) {
    outcome = classifySmtpFailure(err as SmtpError, { messageWritten })
  }
  return { ...outcome, rejected: [...outcome.rejected, ...refused], reason: refused.length && outcome.kind === 'failed' ? 'smtputf8_unsupported' : null }
}
