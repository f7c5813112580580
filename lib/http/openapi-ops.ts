import { z } from 'zod'
import { HTTP_STATUS } from './status.js'
import { inboundItemQuery, inboundListQuery } from './routes/inbound.js'
import { messageListQuery } from './routes/list-messages.js'

/**
 * The OpenAPI entries of the ops read side (issue 11): listing messages, received mail, signed URLs. Kept apart
 * from lib/http/openapi.ts, which spreads them in. Query parameters come from the zod schemas the routes validate
 * with, so the document cannot drift from them.
 */

type Json = Record<string, unknown>

/** OpenAPI query parameters from a strict zod object: each field's JSON Schema, with its description and example. */
function queryParameters(schema: z.ZodObject): QueryParameter[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, example, ...rest } = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Json
    delete rest.$schema
    return { name, in: 'query', required: false, description: description as string | undefined, ...(example !== undefined ? { example } : {}), schema: rest }
  })
}

/** An OpenAPI 3.1 query parameter object. */
interface QueryParameter {
  name: string
  in: 'query'
  required: boolean
  description?: string
  example?: unknown
  schema: Json
}

/** Error responses for `codes`, one per status, each naming its codes and the one error body. */
export const errorResponses = (...codes: (keyof typeof HTTP_STATUS)[]) =>
  Object.fromEntries(
    [...new Set(codes.map((c) => HTTP_STATUS[c]))].map((status) => [
      String(status),
      {
        description: codes.filter((c) => HTTP_STATUS[c] === status).join(', '),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  )

const page = (item: string) => ({
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: {
    data: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last.' },
  },
})

/** One message in a list (lib/logs/list-messages.ts MessageListItem), from the message view's own schema. */
export const messageListItemSchema = (MessageView: z.ZodObject) =>
  MessageView.pick({
    id: true,
    messageId: true,
    status: true,
    reason: true,
    createdAt: true,
    updatedAt: true,
    sendAt: true,
    nextAttemptAt: true,
    from: true,
    to: true,
    cc: true,
    bcc: true,
    subject: true,
    tags: true,
  }).extend({ attempts: z.number().int().meta({ description: 'Delivery attempts so far.' }) })

/** One received message in a list (lib/logs/inbound-index.ts InboundSummary). */
export const InboundSummarySchema = z.object({
  id: z.string().meta({ description: 'Postern id: `m` + 32 hex digits of the SHA-256 of the raw bytes.', example: 'm3f2a0c9e51b7d4a6e8f0123456789abc' }),
  mailbox: z.string().meta({ description: 'The configured mailbox it was read from.', example: 'support' }),
  receivedAt: z.string().meta({ description: 'IMAP INTERNALDATE or POP3 retrieval time, ISO 8601.', example: '2026-12-02T09:15:00.000Z' }),
  messageId: z.string().nullable().meta({ description: 'Message-ID with angle brackets, or null.', example: '<a1@example.com>' }),
  date: z.string().nullable().meta({ description: 'The Date header, ISO 8601, or null.' }),
  from: z.array(z.string()).meta({ description: 'From addresses (the first 100).', example: ['carol@example.com'] }),
  to: z.array(z.string()).meta({ description: 'To addresses (the first 100).', example: ['support@example.org'] }),
  cc: z.array(z.string()).meta({ description: 'Cc addresses (the first 100).', example: [] }),
  subject: z.string().nullable().meta({ description: 'Decoded Subject (first 1,000 characters), or null.', example: 'Invoice 42' }),
  size: z.number().int().meta({ description: 'Raw size in bytes.', example: 5120 }),
  attachments: z.number().int().meta({ description: 'How many attachments it has.', example: 1 }),
  parseError: z.string().nullable().meta({ description: 'Why it could not be fully parsed, or null.' }),
})

const read = ['missing_api_key', 'invalid_api_key', 'insufficient_scope', 'rate_limited'] as const
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^m[0-9a-f]{32}$' }, description: 'Received message id.' }
const signedNote = 'Also readable without a key through a signed URL (docs/api.md "Signed URLs"): 403 invalid_signature or url_expired otherwise.'
const bytes = (type: string) => ({ content: { [type]: { schema: { type: 'string', format: 'binary' } } } })

/** Component schemas the paths below refer to. */
export function opsSchemas(MessageView: z.ZodObject) {
  const toJson = (s: z.ZodType) => z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' })
  return {
    MessageListItem: toJson(messageListItemSchema(MessageView)),
    MessagePage: page('MessageListItem'),
    InboundSummary: toJson(InboundSummarySchema),
    InboundPage: page('InboundSummary'),
  }
}

/** `GET /v1/messages`, to sit beside the existing `post` of that path. */
export const listMessagesOperation = () => ({
  summary: 'List messages, newest first, with filters',
  description:
    'Messages by acceptance time, newest first. A key with the `read` scope sees every key’s messages, a `send` key its own. Each page costs reads in proportion to its size (docs/api.md "Listing messages").',
  parameters: queryParameters(messageListQuery(Date.now)),
  responses: {
    '200': { description: 'A page', content: { 'application/json': { schema: { $ref: '#/components/schemas/MessagePage' } } } },
    ...errorResponses(...read, 'validation_failed'),
  },
})

/** The `/v1/inbound` paths. */
export function inboundPaths() {
  const item = queryParameters(inboundItemQuery)
  return {
    '/v1/inbound': {
      get: {
        summary: 'List received mail, newest first, with filters (scope `read`)',
        parameters: queryParameters(inboundListQuery(Date.now)),
        responses: {
          '200': {
            description: 'A page; with `subject`, possibly short with a `nextCursor`',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/InboundPage' } } },
          },
          ...errorResponses(...read, 'validation_failed'),
        },
      },
    },
    '/v1/inbound/{id}': {
      get: {
        summary: 'The stored JSON document of a received message (scope `read`)',
        description: `The inbound document (docs/inbound-schema.md). ${signedNote}`,
        parameters: [idParam, ...item],
        responses: {
          '200': { description: 'The document as stored', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errorResponses(...read, 'not_found', 'invalid_signature'),
        },
      },
    },
    '/v1/inbound/{id}/raw': {
      get: {
        summary: 'The raw message, byte-exact (scope `read`)',
        description: `message/rfc822 as fetched from the mailbox, as a download. ${signedNote}`,
        parameters: [idParam, ...item],
        responses: { '200': { description: 'The exact bytes', ...bytes('message/rfc822') }, ...errorResponses(...read, 'not_found', 'invalid_signature') },
      },
    },
    '/v1/inbound/{id}/attachments/{attachmentId}': {
      get: {
        summary: 'An attachment’s decoded bytes (scope `read`)',
        description: `Served as a download with its declared content type (application/octet-stream when malformed), \`Content-Disposition: attachment\` with an RFC 5987 \`filename*\`, \`X-Content-Type-Options: nosniff\` and a sandboxing CSP. ${signedNote}`,
        parameters: [idParam, { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string' }, example: 'att-1' }, ...item],
        responses: {
          '200': { description: 'The attachment', ...bytes('application/octet-stream') },
          ...errorResponses(...read, 'not_found', 'invalid_signature'),
        },
      },
    },
  }
}
