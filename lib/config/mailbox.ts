import { z } from 'zod'

/** One polled mailbox (IMAP or POP3). Filled in by the inbound work; kept open here so configs validate. */
export const Mailbox = z.looseObject({ id: z.string().min(1) })
export type Mailbox = z.infer<typeof Mailbox>
