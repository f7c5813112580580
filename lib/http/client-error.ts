import { STATUS_CODES, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ErrorCode } from '../errors.js'
import { HTTP_STATUS } from './status.js'

/** Node's HTTP parser error codes (llhttp) that have a status of their own; any other is a 400. */
const BY_PARSER_CODE: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', message: 'the request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', message: 'the request was not received in time' },
}

/**
 * Answers a request Node's HTTP parser refuses (bad framing: a Content-Length that is not one number, both
 * Content-Length and Transfer-Encoding, a bad chunk size, bytes after a body...) in the API's one error shape
 * instead of Node's bare text 400, then closes the connection, as Node does (RFC 9112 §11.2: framing cannot be
 * trusted after that). Nothing is logged above debug: this is the client's mistake.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: once a response to an earlier pipelined request has begun, writing would corrupt it.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) return void socket.destroy()
    const { code, message } = BY_PARSER_CODE[err.code ?? ''] ?? { code: 'bad_request' as const, message: 'the HTTP request is malformed' }
    const body = JSON.stringify({ error: { code, message, issues: [] } })
    socket.end(
      `HTTP/1.1 ${HTTP_STATUS[code]} ${STATUS_CODES[HTTP_STATUS[code]]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    )
  })
}
