// Amazon SQS quotas Postern designs around (Amazon SQS Developer Guide, "Amazon SQS message quotas").

/** Entries in one SendMessageBatch / DeleteMessageBatch call. */
export const SQS_MAX_BATCH = 10
/** Largest DelaySeconds of a message, in seconds (15 minutes). */
export const SQS_MAX_DELAY_S = 15 * 60
/** Largest visibility timeout of a received message, in seconds (12 hours). */
export const SQS_MAX_VISIBILITY_S = 12 * 3600
