import { createServer, request, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A fault for the next matching requests: answer `status` with an S3 error body of `code` (500 InternalError,
 * 503 SlowDown...) without forwarding, or `reset` the connection without an answer. Used `times` times.
 */
export type HttpFault = { match: (method: string, path: string) => boolean; times: number } & ({ status: number; code: string } | { reset: true })

export interface HttpFaultProxy {
  endpoint: string
  /** Armed faults, in order; the first that matches a request is used. */
  faults: HttpFault[]
  /** Every request seen, `METHOD path` (no query), and what was done: 'forwarded', a status, or 'reset'. */
  log: { request: string; outcome: string | number }[]
  close(): Promise<void>
}

const s3Error = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the test proxy</Message><RequestId>fault</RequestId></Error>`

/**
 * An HTTP proxy of the tests' own on 127.0.0.1 in front of a real server (the local S3 server), for answers a real
 * server does not give on demand: 500 InternalError, 503 SlowDown, a connection reset before any answer.
 */
export async function startHttpFaultProxy(target: string): Promise<HttpFaultProxy> {
  const up = new URL(target)
  const sockets = new Set<Socket>()
  const proxy: HttpFaultProxy = { endpoint: '', faults: [], log: [], close: async () => {} }
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const path = (req.url ?? '').split('?')[0]
    const line = `${req.method} ${decodeURIComponent(path)}`
    const fault = proxy.faults.find((f) => f.times > 0 && f.match(req.method ?? '', decodeURIComponent(path)))
    if (fault) {
      fault.times--
      if ('reset' in fault) {
        proxy.log.push({ request: line, outcome: 'reset' })
        return void req.socket.destroy()
      }
      proxy.log.push({ request: line, outcome: fault.status })
      return void res.writeHead(fault.status, { 'content-type': 'application/xml' }).end(s3Error(fault.code))
    }
    proxy.log.push({ request: line, outcome: 'forwarded' })
    const out = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    out.on('error', () => res.destroy())
    out.end(Buffer.concat(chunks))
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxy.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  return proxy
}
