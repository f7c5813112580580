import { createHash, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the server answered: the operation (`X-Amz-Target` without `AmazonSQS.`) and its JSON input. */
export interface SqsCall {
  op: string
  input: Record<string, any>
}

interface StoredMessage {
  id: string
  body: string
  md5: string
  sentAt: number
  visibleAt: number
  receiveCount: number
  firstReceivedAt: number | null
  receipt: string | null
}

interface Queue {
  name: string
  visibilityTimeoutS: number
  messages: StoredMessage[]
  redrive: { deadLetter: string; maxReceiveCount: number } | null
}

export interface SqsTestServer {
  /** `http://127.0.0.1:<port>/000000000000/<name>`, what the SDK and the config take as a queue URL. */
  url(queue: string): string
  /** Every request, in order. */
  calls: SqsCall[]
  /** Bodies of the messages a queue holds now, visible or not. */
  bodies(queue: string): string[]
  /** Messages of a queue visible now (receivable). */
  visibleCount(queue: string): number
  close(): Promise<void>
}

export interface QueueOptions {
  name: string
  /** Default visibility timeout of received messages, in seconds (SQS default 30). */
  visibilityTimeoutS?: number
  /** Redrive policy: after this many receives a message moves to `deadLetter` when it is received again. */
  redrive?: { deadLetter: string; maxReceiveCount: number }
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex')

/**
 * A small Amazon SQS of the tests' own, speaking the AWS JSON 1.0 protocol the SDK v3 uses (`POST /`,
 * `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`, SigV4-signed): Send(Batch),
 * ReceiveMessage, Delete(Batch), ChangeMessageVisibility(Batch), GetQueueAttributes. It keeps SQS's semantics that
 * Postern relies on: DelaySeconds (0-900), per-receive visibility timeouts (0-43,200), receive counts, MD5 of
 * bodies (the SDK checks them), receipt handles that change on each receive, and a redrive policy to a dead-letter
 * queue. `now` is the server's clock (ms), so a test can move time. Listens on 127.0.0.1, port 0.
 */
export async function startSqs(queues: QueueOptions[], opts: { now?: () => number } = {}): Promise<SqsTestServer> {
  const now = opts.now ?? (() => Date.now())
  const byName = new Map<string, Queue>(
    queues.map((q) => [q.name, { name: q.name, visibilityTimeoutS: q.visibilityTimeoutS ?? 30, messages: [], redrive: q.redrive ?? null }]),
  )
  const calls: SqsCall[] = []
  let base = ''

  const queueOf = (input: Record<string, any>) => {
    const name = String(input.QueueUrl ?? '')
      .split('/')
      .pop()!
    const q = byName.get(name)
    if (!q) throw new SqsError('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.')
    return q
  }
  const checkRange = (name: string, v: unknown, max: number) => {
    if (v === undefined) return
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max)
      throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', `Value ${v} for parameter ${name} is invalid. Must be between 0 and ${max}.`)
  }
  const enqueue = (q: Queue, body: string, delay = 0) => {
    checkRange('DelaySeconds', delay, 900)
    const m: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now(),
      visibleAt: now() + delay * 1000,
      receiveCount: 0,
      firstReceivedAt: null,
      receipt: null,
    }
    q.messages.push(m)
    return m
  }
  const byReceipt = (q: Queue, receipt: unknown) => {
    const m = q.messages.find((x) => x.receipt === receipt)
    if (!m) throw new SqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`)
    return m
  }
  const receive = (q: Queue, input: Record<string, any>) => {
    const max = input.MaxNumberOfMessages ?? 1
    checkRange('MaxNumberOfMessages', max, 10)
    const visibility = input.VisibilityTimeout ?? q.visibilityTimeoutS
    checkRange('VisibilityTimeout', visibility, 43_200)
    const out: StoredMessage[] = []
    for (const m of [...q.messages]) {
      if (out.length >= max) break
      if (m.visibleAt > now()) continue
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        q.messages.splice(q.messages.indexOf(m), 1)
        byName.get(q.redrive.deadLetter)!.messages.push({ ...m, visibleAt: now(), receiveCount: 0, receipt: null, firstReceivedAt: null })
        continue
      }
      m.receiveCount++
      m.firstReceivedAt ??= now()
      m.receipt = `${m.id}#${randomUUID()}`
      m.visibleAt = now() + visibility * 1000
      out.push(m)
    }
    return out
  }

  const ops: Record<string, (input: Record<string, any>) => Promise<object> | object> = {
    SendMessage(input) {
      const m = enqueue(queueOf(input), String(input.MessageBody), input.DelaySeconds)
      return { MessageId: m.id, MD5OfMessageBody: m.md5 }
    },
    SendMessageBatch(input) {
      const q = queueOf(input)
      const entries = input.Entries as { Id: string; MessageBody: string; DelaySeconds?: number }[]
      if (!entries?.length || entries.length > 10)
        throw new SqsError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.')
      const Successful = entries.map((e) => {
        const m = enqueue(q, e.MessageBody, e.DelaySeconds)
        return { Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5 }
      })
      return { Successful, Failed: [] }
    },
    async ReceiveMessage(input) {
      const q = queueOf(input)
      const until = Date.now() + Math.min(Number(input.WaitTimeSeconds ?? 0), 20) * 1000
      let got = receive(q, input)
      while (!got.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20))
        got = receive(q, input)
      }
      return {
        Messages: got.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          },
        })),
      }
    },
    DeleteMessage(input) {
      const q = queueOf(input)
      q.messages.splice(q.messages.indexOf(byReceipt(q, input.ReceiptHandle)), 1)
      return {}
    },
    DeleteMessageBatch(input) {
      const q = queueOf(input)
      const Successful: { Id: string }[] = []
      const Failed: object[] = []
      for (const e of input.Entries as { Id: string; ReceiptHandle: string }[]) {
        const i = q.messages.findIndex((m) => m.receipt === e.ReceiptHandle)
        if (i < 0) Failed.push({ Id: e.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'not a valid receipt handle' })
        else {
          q.messages.splice(i, 1)
          Successful.push({ Id: e.Id })
        }
      }
      return { Successful, Failed }
    },
    ChangeMessageVisibility(input) {
      const q = queueOf(input)
      checkRange('VisibilityTimeout', input.VisibilityTimeout, 43_200)
      byReceipt(q, input.ReceiptHandle).visibleAt = now() + input.VisibilityTimeout * 1000
      return {}
    },
    GetQueueAttributes(input) {
      const q = queueOf(input)
      const visible = q.messages.filter((m) => m.visibleAt <= now()).length
      return { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(q.messages.length - visible) } }
    },
  }

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const reply = (status: number, body: object, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...extra }).end(JSON.stringify(body))
    }
    try {
      const target = String(req.headers['x-amz-target'] ?? '')
      if (req.method !== 'POST' || !target.startsWith('AmazonSQS.') || !String(req.headers['content-type']).startsWith('application/x-amz-json-1.0'))
        throw new SqsError('com.amazonaws.sqs#InvalidAction', `not an AWS JSON 1.0 SQS request: ${req.method} ${target}`)
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
        throw new SqsError('com.amazonaws.sqs#MissingAuthenticationToken', 'Request is missing Authentication Token')
      const op = target.slice('AmazonSQS.'.length)
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
      calls.push({ op, input })
      const handler = ops[op]
      if (!handler) throw new SqsError('com.amazonaws.sqs#InvalidAction', `The action ${op} is not valid for this endpoint.`)
      reply(200, await handler(input))
    } catch (err) {
      const type = err instanceof SqsError ? err.type : 'com.amazonaws.sqs#InternalError'
      reply(err instanceof SqsError ? 400 : 500, { __type: type, message: (err as Error).message }, { 'x-amzn-query-error': `${type.split('#')[1]};Sender` })
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const get = (name: string) => byName.get(name)!
  return {
    url: (name) => `${base}/000000000000/${name}`,
    calls,
    bodies: (name) => get(name).messages.map((m) => m.body),
    visibleCount: (name) => get(name).messages.filter((m) => m.visibleAt <= now()).length,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
