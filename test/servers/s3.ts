import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import S3rver from 's3rver'
import { S3Client } from '@aws-sdk/client-s3'

export interface S3TestServer {
  /** Endpoint of the precondition proxy in front of s3rver: what clients should use. */
  endpoint: string
  bucket: string
  client: S3Client
  /** Calls `listener` with each S3 event notification s3rver makes (`{ Records: [...] }`, keys not URL-encoded). */
  onEvent(listener: (event: any) => void): void
  close(): Promise<void>
}

const PRECONDITION_FAILED = (cond: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>${cond}</Condition></Error>`

function forward(req: IncomingMessage, target: AddressInfo, body?: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const up = request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    up.on('error', reject)
    up.end(body)
  })
}

function headEtag(target: AddressInfo, path: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: target.port, method: 'HEAD', path }, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? String(res.headers.etag ?? '') : null)
    })
    r.on('error', reject)
    r.end()
  })
}

/**
 * A real S3-compatible server (s3rver) behind a small proxy of the tests' own that enforces
 * `If-None-Match: *` and `If-Match` on PutObject as S3 does (412 PreconditionFailed), since no local
 * S3 emulator enforces them. PUTs to one key are serialised so check-then-write is atomic.
 * s3rver needs `--openssl-legacy-provider` for ListObjectsV2 continuation tokens (see vitest.config.ts).
 */
export async function startS3(bucket = 'postern-test'): Promise<S3TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'))
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] })
  const target = (await s3.run()) as AddressInfo
  const locks = new Map<string, Promise<unknown>>()

  const proxy: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const body = Buffer.concat(chunks)
      const ifNoneMatch = req.headers['if-none-match']
      const ifMatch = req.headers['if-match']
      const conditional = req.method === 'PUT' && (ifNoneMatch || ifMatch)
      const path = (req.url ?? '').split('?')[0]
      const run = async () => {
        if (conditional) {
          const etag = await headEtag(target, path)
          if (ifNoneMatch === '*' && etag !== null)
            return { status: 412, headers: { 'content-type': 'application/xml' }, body: Buffer.from(PRECONDITION_FAILED('If-None-Match')) }
          if (ifMatch && etag !== ifMatch)
            return { status: etag === null ? 404 : 412, headers: { 'content-type': 'application/xml' }, body: Buffer.from(PRECONDITION_FAILED('If-Match')) }
        }
        return forward(req, target, body)
      }
      const prev = locks.get(path) ?? Promise.resolve()
      const mine = prev.then(run, run)
      locks.set(
        path,
        mine.catch(() => {}),
      )
      const out = await mine
      const headers = { ...out.headers }
      delete headers['transfer-encoding']
      headers['content-length'] = String(out.body.length)
      res.writeHead(out.status, headers)
      res.end(out.body)
    } catch (err) {
      res.writeHead(502).end(String(err))
    }
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  return {
    endpoint,
    bucket,
    client,
    onEvent: (listener) => void s3.on('event', listener),
    async close() {
      client.destroy()
      await new Promise<void>((r) => proxy.close(() => r()))
      await s3.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
