// SST component and secret names must be letters and digits starting with a capital letter.

/** `MAILBOX_PASSWORD` -> `MailboxPassword`, `support-eu` -> `SupportEu`. */
export const pascalName = (raw: string) => raw.toLowerCase().replace(/(^|[^a-z0-9]+)([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase())
