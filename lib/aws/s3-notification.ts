// S3 event notifications as they reach an SQS queue (Amazon S3 User Guide, "Event message structure").

/**
 * The object keys of `ObjectCreated:*` records in a parsed SQS message body that is an S3 event notification,
 * decoded (S3 URL-encodes keys, with `+` for a space); `[]` for the `s3:TestEvent` S3 sends when notifications are
 * set up, and for records of other events. `null` when the body is not an S3 notification, or a key is unreadable.
 */
export function s3NotificationKeys(msg: unknown): string[] | null {
  const m = msg as { Event?: unknown; Records?: unknown } | null
  if (m?.Event === 's3:TestEvent') return []
  if (!Array.isArray(m?.Records)) return null
  const keys: string[] = []
  for (const r of m.Records) {
    const raw = r?.s3?.object?.key
    if (typeof raw !== 'string') return null
    if (typeof r.eventName === 'string' && !r.eventName.startsWith('ObjectCreated:')) continue
    try {
      keys.push(decodeURIComponent(raw.replace(/\+/g, ' ')))
    } catch {
      return null
    }
  }
  return keys
}

/** The parsed JSON of a message body; undefined when it is not JSON. */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}
