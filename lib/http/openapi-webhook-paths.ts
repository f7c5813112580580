import { EVENT_TYPES } from '../events/event-types.js'

/** The OpenAPI paths of webhook deliveries, replay, endpoints and mailboxes (issue 11); schemas in openapi-webhooks.ts. */
type ErrorResponses = (...codes: ('validation_failed' | 'insufficient_scope' | 'not_found' | 'conflict' | 'mailbox_unreachable')[]) => object

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const ok = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } })
const page = (item: string) => ({
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: { data: { type: 'array', items: ref(item) }, nextCursor: { type: ['string', 'null'] } },
})
const query = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema })
const pathId = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string' } })

function deliveryPaths(errors: ErrorResponses) {
  const since = query('since', 'events recorded at or after this ISO 8601 time', { type: 'string', format: 'date-time' })
  return {
    '/v1/webhooks/deliveries': {
      get: {
        summary: 'List webhook deliveries, newest event first',
        description: 'Scope `read`. A page reads only the deliveries it returns (an index per status and endpoint).',
        parameters: [
          query('status', 'pending, failed, succeeded or dead', { enum: ['pending', 'failed', 'succeeded', 'dead'] }),
          query('endpoint', 'an endpoint id'),
          query('type', 'an event type', { enum: [...EVENT_TYPES] }),
          since,
          query('limit', '1 to 100 (default 50)', { type: 'integer', minimum: 1, maximum: 100 }),
          query('cursor', 'nextCursor of the previous page, with the same filters'),
        ],
        responses: { '200': ok('A page', page('DeliverySummary')), ...errors('validation_failed', 'insufficient_scope') },
      },
    },
    '/v1/webhooks/deliveries/{id}': {
      get: {
        summary: 'A delivery with every attempt',
        parameters: [pathId('`<endpointId>:<eventId>`')],
        responses: { '200': ok('The delivery', ref('Delivery')), ...errors('insufficient_scope', 'not_found') },
      },
    },
    '/v1/webhooks/deliveries/{id}/retry': {
      post: {
        summary: 'Retry a failed or dead delivery now',
        description: 'Scope `admin`. Same webhook-id; attempt limits count afresh. 409 while a worker attempts it, or when it succeeded (use replay).',
        parameters: [pathId('`<endpointId>:<eventId>`')],
        responses: { '202': ok('Queued', ref('Delivery')), ...errors('insufficient_scope', 'not_found', 'conflict') },
      },
    },
    '/v1/webhooks/replay': {
      post: {
        summary: 'Re-send the events of a time range',
        description:
          'Scope `admin`. Every delivery of the events recorded from `since` to `until` (optionally one endpoint, some types) that is not pending is sent again with its original webhook-id.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('ReplayRequest') } } },
        responses: { '202': ok('What was queued', ref('ReplayResult')), ...errors('validation_failed', 'insufficient_scope') },
      },
    },
  }
}

function endpointAndMailboxPaths(errors: ErrorResponses) {
  return {
    '/v1/webhooks/endpoints': {
      get: {
        summary: 'Webhook endpoints with their health',
        responses: {
          '200': ok('Every endpoint', { type: 'object', properties: { data: { type: 'array', items: ref('Endpoint') } } }),
          ...errors('insufficient_scope'),
        },
      },
    },
    '/v1/webhooks/endpoints/{id}/enable': {
      post: {
        summary: 'Enable an endpoint again and forget its failures',
        description: 'Scope `admin`. Events dead-lettered while it was disabled stay so: replay them.',
        parameters: [pathId('endpoint id')],
        responses: { '200': ok('The endpoint', ref('Endpoint')), ...errors('insufficient_scope', 'not_found') },
      },
    },
    '/v1/mailboxes': {
      get: {
        summary: 'Mailboxes with their last poll, cursor and lag',
        responses: {
          '200': ok('Every mailbox', { type: 'object', properties: { data: { type: 'array', items: ref('Mailbox') } } }),
          ...errors('insufficient_scope'),
        },
      },
    },
    '/v1/mailboxes/{id}/reconcile': {
      get: {
        summary: 'Did we miss anything? The mailbox now against what was stored and acknowledged',
        description: 'Connects to the mailbox (IMAP: UIDs per folder; POP3: UIDLs) and lists every gap. Costs O(stored messages): for people, not loops.',
        parameters: [pathId('mailbox id')],
        responses: { '200': ok('The report', ref('ReconcileReport')), ...errors('insufficient_scope', 'not_found', 'mailbox_unreachable') },
      },
    },
  }
}

/** The paths, given the error-response builder of openapi.ts (one response per status, naming its codes). */
export const webhookPaths = (errors: ErrorResponses) => ({ ...deliveryPaths(errors), ...endpointAndMailboxPaths(errors) })
