import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

/**
 * A fault to inject once: after the client sends a command matching `afterCommand`, let `afterBytes` bytes of the
 * server's answer through, then `cut` the connection (both sides destroyed) or `stall` it (nothing more is
 * forwarded to the client; the connection stays open). With `direction: 'client'` the bytes counted (from the
 * matching chunk on) are the client's own, and a stall forwards nothing more to the server: for faults inside an
 * upload after STARTTLS, when commands can no longer be read (e.g. the middle of SMTP DATA).
 */
export interface Fault {
  afterCommand: RegExp
  afterBytes: number
  kind: 'cut' | 'stall'
  direction?: 'server' | 'client'
}

export interface TcpProxy {
  port: number
  /** Armed fault; cleared once it has fired. */
  fault: Fault | null
  /** Faults fired so far. */
  fired: number
  close(): Promise<void>
}

/**
 * A TCP proxy of the tests' own on 127.0.0.1 in front of a real server (Dovecot, the test SMTP server), for faults a real server does not
 * make on demand: a connection dropped, or a server gone silent, in the middle of an answer. `listenPort` (default
 * 0: any free port) lets a test close the proxy (connections refused) and open it again where clients expect it.
 */
export async function startTcpProxy(targetPort: number, listenPort = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const proxy: TcpProxy = { port: 0, fault: null, fired: 0, close: async () => {} }
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    let armed: Fault | null = null
    let passed = 0
    let stalled = false
    // Forwards `d` from one side to `to`, firing the armed fault once `afterBytes` of the counted side have passed.
    const forward = (d: Buffer, to: Socket, counted: boolean) => {
      if (!armed || !counted) return void to.write(d)
      if (stalled) return
      const room = armed.afterBytes - passed
      if (d.length < room) {
        passed += d.length
        return void to.write(d)
      }
      to.write(d.subarray(0, room))
      proxy.fired++
      if (armed.kind === 'stall') stalled = true
      else {
        client.destroy()
        upstream.destroy()
      }
    }
    client.on('data', (d: Buffer) => {
      if (!armed && proxy.fault && proxy.fault.afterCommand.test(d.toString('latin1'))) {
        armed = proxy.fault
        proxy.fault = null
        passed = 0
      }
      forward(d, upstream, armed?.direction === 'client')
    })
    upstream.on('data', (d: Buffer) => forward(d, client, Boolean(armed) && armed?.direction !== 'client'))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r))
  proxy.port = (server.address() as AddressInfo).port
  proxy.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  return proxy
}
