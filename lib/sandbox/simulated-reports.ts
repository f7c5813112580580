import { randomBytes } from 'node:crypto'

/** The header block of a message (up to its first empty line), CRLF line ends. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1')
  const end = text.search(/\r?\n\r?\n/)
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n/g, '\r\n')
}

const rfc2822Date = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000')

function envelope(opts: { to: string; subject: string; type: string; now: number; from: string }): string[] {
  const boundary = `sim-${randomBytes(8).toString('hex')}`
  return [
    `From: ${opts.from}`,
    `To: <${opts.to}>`,
    `Subject: ${opts.subject}`,
    `Date: ${rfc2822Date(opts.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@simulator.postern.test>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=${opts.type}; boundary="${boundary}"`,
    '',
    boundary,
  ]
}

/**
 * A delivery status notification (RFC 3464) as an MTA would send it back to `mailFrom` for `recipient` of the
 * message `original`: `failed` with 5.1.1 (a hard bounce), or `delayed` with 4.4.7 (a soft one). The original's
 * header block is returned as text/rfc822-headers, so the report names its Message-ID.
 */
export function simulatedDsn(original: Buffer, mailFrom: string, recipient: string, kind: 'bounce' | 'delay', now: number): Buffer {
  const [hard, status, diagnostic] =
    kind === 'bounce'
      ? [true, '5.1.1', 'smtp; 550 5.1.1 The email account does not exist (simulated by the Postern sandbox)']
      : [false, '4.4.7', 'smtp; 451 4.4.7 Delivery time expired for now, still trying (simulated by the Postern sandbox)']
  const head = envelope({
    from: 'Mail Delivery System <MAILER-DAEMON@simulator.postern.test>',
    to: mailFrom,
    subject: hard ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)',
    type: 'delivery-status',
    now,
  })
  const boundary = head.pop()!
  const lines = [
    ...head,
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    hard
      ? `Your message to <${recipient}> could not be delivered (Postern sandbox simulation).`
      : `Your message to <${recipient}> is delayed (Postern sandbox simulation).`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; simulator.postern.test',
    `Arrival-Date: ${rfc2822Date(now)}`,
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822; ${recipient}`,
    `Action: ${hard ? 'failed' : 'delayed'}`,
    `Status: ${status}`,
    'Remote-MTA: dns; simulator.postern.test',
    `Diagnostic-Code: ${diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(original),
    '',
    `--${boundary}--`,
    '',
  ]
  return Buffer.from(lines.join('\r\n'), 'latin1')
}

/** A spam complaint (RFC 5965 ARF, Feedback-Type abuse) about `original` from `recipient`, as a mailbox provider's loop sends it. */
export function simulatedComplaint(original: Buffer, mailFrom: string, recipient: string, now: number): Buffer {
  const head = envelope({
    from: 'Feedback Loop <fbl@simulator.postern.test>',
    to: mailFrom,
    subject: 'Complaint about your message',
    type: 'feedback-report',
    now,
  })
  const boundary = head.pop()!
  const lines = [
    ...head,
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `The recipient <${recipient}> marked your message as spam (Postern sandbox simulation).`,
    '',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: Postern-Sandbox/1',
    'Version: 1',
    `Original-Mail-From: <${mailFrom}>`,
    `Original-Rcpt-To: <${recipient}>`,
    `Arrival-Date: ${rfc2822Date(now)}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(original),
    '',
    `--${boundary}--`,
    '',
  ]
  return Buffer.from(lines.join('\r\n'), 'latin1')
}
