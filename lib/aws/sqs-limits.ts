// Amazon SQS quotas Postern designs around (Amazon SQS Developer Guide, "Amazon SQS message quotas").

/** Entries in one SendMessageBatch / DeleteMessageBatch call. */
export const SQS_MAX_BATCH = 10
/** Largest DelaySeconds of a message, in seconds (15 minutes). */
export const SQS_MAX_DELAY_S = 15 * 60
/** Largest visibility timeout of a received message, in seconds (12 hours). */
export const SQS_MAX_VISIBILITY_S = 12 * 3600
/**
 * How far ahead a received message may be hidden (ms): SQS caps a message's visibility at 12 hours from its
 * receive; ten minutes are kept for the batch's own time. Work due later goes to a sweep.
 */
export const SQS_HIDE_HORIZON_MS = SQS_MAX_VISIBILITY_S * 1000 - 10 * 60_000
