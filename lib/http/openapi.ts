import { z } from 'zod'
import type { Config } from '../config/schema.js'
import { ResendEmail } from '../resend/email-request.js'
import { RESEND_ERRORS } from '../resend/resend-error.js'
import { SendRequest } from '../send/send-request.js'
import { BounceInfo, ComplaintInfo, RecipientRejection, RecipientSuppression } from '../events/outbound-events.js'
import { ERROR_CODES } from '../errors.js'
import { HTTP_STATUS } from './status.js'
import { errorResponses, inboundPaths, listMessagesOperation, opsSchemas } from './openapi-ops.js'
import { webhookPaths } from './openapi-webhook-paths.js'
import { webhookSchemas } from './openapi-webhooks.js'
import { eventPaths, eventSchemas } from './openapi-events.js'

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' })

const Accepted = z.object({
  id: z.string().meta({ description: 'Postern id (ULID, time-sortable)' }),
  status: z.literal('queued'),
  messageId: z.string().meta({ description: 'RFC 5322 Message-ID, with angle brackets' }),
})
const ErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), code: z.string(), message: z.string() })),
  }),
})
const Attempt = z.object({
  attempt: z.number().int(),
  at: z.string(),
  durationMs: z.number(),
  outcome: z.enum(['sent', 'deferred', 'failed']),
  reply: z.number().int().nullable().meta({ description: 'SMTP reply code (RFC 5321 §4.2), null when none came' }),
  enhancedStatus: z.string().nullable(),
  response: z.string(),
  ambiguous: z.boolean().meta({ description: 'the connection dropped after the end of DATA; the relay may have the message' }),
  accepted: z.array(z.string()),
  rejected: z.array(RecipientRejection),
  nextAttemptAt: z.string().nullable(),
  reason: z.string().nullable().meta({ description: 'why the attempt failed (outbound event reason), when it did' }),
  recipients: z.array(z.string()).meta({ description: 'the recipients the attempt was for' }),
  suppressed: z.array(RecipientSuppression).meta({ description: 'recipients left out because they are suppressed' }),
})
export const MessageView = z.object({
  id: z.string(),
  messageId: z.string(),
  status: z.enum(['scheduled', 'queued', 'sent', 'deferred', 'failed', 'bounced', 'canceled']),
  reason: z.string().nullable().meta({ description: 'why it failed or was canceled (lib/events/outbound-events.ts reason)' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  sendAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  subject: z.string(),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.string()),
  date: z.string().nullable().meta({ description: 'the Date header, fixed at the first attempt; null before it' }),
  accepted: z.array(z.string()),
  rejected: z.array(RecipientRejection),
  suppressed: z.array(RecipientSuppression),
  bounces: z.record(z.string(), BounceInfo).meta({ description: 'asynchronous bounces by recipient' }),
  complaints: z.record(z.string(), ComplaintInfo).meta({ description: 'feedback reports (complaints) by recipient' }),
  canceledAt: z.string().nullable(),
  attempts: z.array(Attempt),
})

const errors = errorResponses

const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 256 },
  description: 'A retry with the same key and body within 24 h returns the first answer and sends nothing again.',
}

/** The OpenAPI 3.1 document served at /openapi.json, generated from the same zod schemas that validate requests. */
export function openApiDocument(config: Config) {
  const common = ['missing_api_key', 'invalid_api_key', 'rate_limited', 'invalid_json', 'unsupported_media_type'] as const
  return {
    openapi: '3.1.0',
    info: {
      title: 'Postern',
      version: '1',
      description: `Email gateway: JSON in, authenticated SMTP out. Limits: ${config.limits.maxRecipients} recipients, ${config.limits.maxMessageBytes} bytes decoded, ${config.limits.maxBatch} messages per batch.`,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        SendRequest: json(SendRequest, 'input'),
        Accepted: json(Accepted),
        Error: json(ErrorBody),
        Message: json(MessageView),
        ...opsSchemas(MessageView),
        ...webhookSchemas(),
        ResendEmail: json(ResendEmail, 'input'),
        ResendError: {
          type: 'object',
          required: ['statusCode', 'name', 'message'],
          properties: { statusCode: { type: 'integer' }, name: { enum: Object.keys(RESEND_ERRORS) }, message: { type: 'string' } },
        },
        ...eventSchemas(),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      ...eventPaths(errors),
      '/v1/messages': {
        get: listMessagesOperation(),
        post: {
          summary: 'Send a message',
          description: 'Validates, stores durably, and answers 202; delivery follows (see GET /v1/messages/{id}).',
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SendRequest' } } } },
          responses: {
            '202': { description: 'Accepted and stored', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
            ...errors(
              ...common,
              'validation_failed',
              'sender_not_allowed',
              'idempotency_key_reused',
              'idempotency_key_in_use',
              'payload_too_large',
              'store_unavailable',
            ),
          },
        },
      },
      '/v1/messages/batch': {
        post: {
          summary: 'Send up to 100 messages',
          description: 'Each message is validated and accepted on its own; the answer has one result per message, in order.',
          parameters: [idempotencyHeader],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['messages'],
                  properties: { messages: { type: 'array', maxItems: config.limits.maxBatch, items: { $ref: '#/components/schemas/SendRequest' } } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'One result per message: { status: 202, data } or { status, error }' },
            ...errors(...common, 'validation_failed', 'idempotency_key_reused', 'idempotency_key_in_use', 'payload_too_large', 'store_unavailable'),
          },
        },
      },
      '/emails': {
        post: {
          summary: 'Send an email (Resend-compatible)',
          description: 'Resend API shapes over the same pipeline as /v1/messages; see docs/switching-from-resend.md.',
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ResendEmail' } } } },
          responses: {
            '200': { description: '{ id }' },
            '4XX': { description: 'Resend-shaped error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ResendError' } } } },
          },
        },
      },
      '/emails/batch': {
        post: {
          summary: 'Send up to 100 emails (Resend-compatible)',
          description: 'x-batch-validation: strict (default, all or nothing) or permissive (per-item errors).',
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/ResendEmail' } } } } },
          responses: {
            '200': { description: '{ data: [{ id }] } (permissive: and errors: [{ index, message }])' },
            '4XX': { description: 'Resend-shaped error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ResendError' } } } },
          },
        },
      },
      '/emails/{id}': {
        get: {
          summary: "An email in Resend's shape, with last_event",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'object: "email", id, from, to, subject, html, text, created_at, last_event, ...' },
            '4XX': { description: 'Resend-shaped error', content: { 'application/json': { schema: { $ref: '#/components/schemas/ResendError' } } } },
          },
        },
      },
      ...inboundPaths(),
      '/v1/messages/{id}': {
        get: {
          summary: 'A message with its status and every delivery attempt',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The message', content: { 'application/json': { schema: { $ref: '#/components/schemas/Message' } } } },
            ...errors('missing_api_key', 'invalid_api_key', 'rate_limited', 'not_found', 'store_unavailable'),
          },
        },
      },
      ...webhookPaths(errors),
    },
  }
}
