import { z } from 'zod'

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const
const RATE = /^rate\((\d+) (second|minute|hour|day)s?\)$/

/**
 * How often a mailbox is polled: `{ "everyMs": 300000 }`, or the EventBridge/SST form `"rate(5 minutes)"`
 * (units second, minute, hour, day; singular or plural). Parsed to `{ everyMs }`; at least 1000 ms.
 */
export const Schedule = z
  .union([
    z.strictObject({ everyMs: z.number().int().min(1000) }),
    z.string().regex(RATE, 'must be "rate(<n> <seconds|minutes|hours|days>)" or { "everyMs": n }'),
  ])
  .transform((v, ctx) => {
    if (typeof v !== 'string') return v
    const [, n, unit] = RATE.exec(v)!
    const everyMs = Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS]
    if (everyMs < 1000) ctx.addIssue({ code: 'custom', message: 'a schedule must be at least 1 second' })
    return { everyMs }
  })
export type Schedule = z.infer<typeof Schedule>
