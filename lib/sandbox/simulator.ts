/**
 * The local sandbox's simulated recipients (`npm start` only), like Resend's and Postmark's test addresses: mail to
 * `<outcome>@simulator.postern.test` (RFC 2606 reserves `.test`) produces that outcome, so a developer sees every
 * event without a real relay. Anywhere else that domain is an ordinary, undeliverable one.
 */
export const SIMULATOR_DOMAIN = 'simulator.postern.test'

/** What the sandbox does with one simulated recipient. */
export type Simulated =
  /** Refused at RCPT TO with this reply. */
  | { at: 'rcpt'; code: number; text: string }
  /** Refused at RCPT TO on the first try of a message, accepted on the next. */
  | { at: 'rcpt-once'; code: number; text: string }
  /** Accepted, then a report comes back: a DSN (hard or soft bounce) or an RFC 5965 complaint. */
  | { at: 'later'; report: 'bounce' | 'delay' | 'complaint' }

/** The simulated addresses and what each does; documented in the README ("Knowing what happened"). */
export const SIMULATED: Record<string, Simulated> = {
  bounced: { at: 'rcpt', code: 550, text: '5.1.1 The email account does not exist (simulated by the Postern sandbox)' },
  rejected: { at: 'rcpt', code: 554, text: '5.7.1 Message refused by policy (simulated by the Postern sandbox)' },
  full: { at: 'rcpt', code: 452, text: '4.2.2 Mailbox full, try again later (simulated by the Postern sandbox)' },
  deferred: { at: 'rcpt-once', code: 451, text: '4.7.1 Greylisted, try again later (simulated by the Postern sandbox)' },
  'bounced-later': { at: 'later', report: 'bounce' },
  'delayed-later': { at: 'later', report: 'delay' },
  complained: { at: 'later', report: 'complaint' },
}

/** What the simulator does for `address`, or null when it is not a simulated address. */
export function simulated(address: string): Simulated | null {
  const at = address.lastIndexOf('@')
  if (at < 0 || address.slice(at + 1).toLowerCase() !== SIMULATOR_DOMAIN) return null
  return SIMULATED[address.slice(0, at).toLowerCase()] ?? null
}
