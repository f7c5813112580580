/**
 * The msg-ids of a Message-ID, In-Reply-To or References value (RFC 5322 §3.6.4), each with its angle brackets.
 * Bracketed ids are taken in order and anything else (phrases, comments) ignored; a value with no brackets at all
 * is split on whitespace and each word holding an `@` is taken and bracketed (old mailers omit them).
 */
export function parseMessageIds(value: string): string[] {
  const bracketed = value.match(/<[^<>\s]+>/g)
  if (bracketed) return bracketed
  return value
    .split(/[\s,]+/)
    .filter((w) => w.includes('@'))
    .map((w) => `<${w.replace(/^<|>$/g, '')}>`)
}
