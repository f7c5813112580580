import { z } from 'zod'
import type { SchemaNode } from './reference-fields.js'
import { EventLogLine } from '../logs/event-log-line.js'
import { EventsQuery } from './routes/events.js'

/**
 * OpenAPI query parameters from a zod object of query fields: name, description and example from each field's
 * `.meta()`, the schema from zod's JSON Schema.
 */
export function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => {
    const meta = (field as z.ZodType).meta() as { description?: string; example?: unknown } | undefined
    const { description, example, ...rest } = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
    delete rest.$schema
    return {
      name,
      in: 'query',
      required: false,
      description: String(meta?.description ?? description ?? ''),
      example: meta?.example ?? example,
      schema: rest as SchemaNode,
    }
  })
}

/** Schemas of the event log routes, for components.schemas. */
export const eventSchemas = () => ({
  EventLogLine: z.toJSONSchema(EventLogLine, { io: 'output', unrepresentable: 'any' }),
})

/** `/v1/events` in the OpenAPI document; `errors` builds the error responses as the other routes do. */
export const eventPaths = (
  errors: (...codes: ('missing_api_key' | 'invalid_api_key' | 'insufficient_scope' | 'rate_limited' | 'validation_failed')[]) => object,
) => ({
  '/v1/events': {
    get: {
      summary: 'Page the event log',
      description:
        'Every recorded event (outbound attempts, bounces, received mail, webhook attempts) in log order, as `npx postern tail` follows it. Needs the `read` scope. Events appear once their segment is flushed (`logs.flushMs`). Keep `cursor` and ask again for what came since; `hasMore` false means caught up.',
      parameters: queryParameters(EventsQuery),
      responses: {
        '200': {
          description: 'A page of events',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['data', 'cursor', 'hasMore'],
                properties: {
                  data: { type: 'array', items: { $ref: '#/components/schemas/EventLogLine' } },
                  cursor: { type: 'string', description: 'Where the next page starts (opaque); present even when `data` is empty.' },
                  hasMore: { type: 'boolean', description: 'True: ask again at once; false: caught up with the log as written.' },
                },
              },
            },
          },
        },
        ...errors('missing_api_key', 'invalid_api_key', 'insufficient_scope', 'rate_limited', 'validation_failed'),
      },
    },
  },
})
