import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SsmTestServer {
  /** `http://127.0.0.1:<port>`, for POSTERN_SSM_ENDPOINT / `aws.ssmEndpoint`. */
  endpoint: string
  /** Every GetParameter request: the name and whether decryption was asked for. */
  calls: { name: string; withDecryption: boolean }[]
  /** Sets (or replaces) a parameter's value. */
  set(name: string, value: string, type?: 'String' | 'SecureString'): void
  close(): Promise<void>
}

/**
 * A small AWS Systems Manager Parameter Store of the tests' own, speaking the AWS JSON 1.1 protocol the SDK v3 uses
 * (`POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: AmazonSSM.GetParameter`, SigV4-signed).
 * A SecureString read without `WithDecryption` returns ciphertext, as SSM does; a missing name answers
 * `ParameterNotFound`. Listens on 127.0.0.1, port 0.
 */
export async function startSsm(): Promise<SsmTestServer> {
  const params = new Map<string, { value: string; type: 'String' | 'SecureString'; version: number; cipher: string }>()
  const calls: SsmTestServer['calls'] = []
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const reply = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(body))
    if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter' || !String(req.headers['content-type']).startsWith('application/x-amz-json-1.1'))
      return reply(400, { __type: 'InvalidAction', message: `unsupported: ${req.headers['x-amz-target']}` })
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
      return reply(400, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    calls.push({ name: input.Name, withDecryption: input.WithDecryption === true })
    const p = params.get(input.Name)
    if (!p) return reply(400, { __type: 'ParameterNotFound', message: '' })
    reply(200, {
      Parameter: {
        Name: input.Name,
        Type: p.type,
        Value: p.type === 'SecureString' && input.WithDecryption !== true ? p.cipher : p.value,
        Version: p.version,
        DataType: 'text',
        LastModifiedDate: Date.now() / 1000,
        ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${input.Name.startsWith('/') ? '' : '/'}${input.Name}`,
      },
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    set(name, value, type = 'SecureString') {
      params.set(name, { value, type, version: (params.get(name)?.version ?? 0) + 1, cipher: randomBytes(48).toString('base64') })
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
