// The benchmark's SMTP sink, in its own process: STARTTLS + AUTH like a real relay; counts what it accepts.
// Prints one JSON line {port, user, pass, ca} when listening; answers "count\n" on stdin with the count so far.
import { startSmtp } from '../../test/servers/smtp.js'

const smtp = await startSmtp({ data: () => undefined })
let count = 0
smtp.behave({
  data: () => {
    count++
    smtp.received.length = 0
    return undefined
  },
})
process.stdout.write(`${JSON.stringify({ port: smtp.port, user: smtp.user, pass: smtp.pass, ca: smtp.ca })}\n`)
process.stdin.setEncoding('utf8')
process.stdin.on('data', (line: string) => {
  for (const cmd of line.split('\n').filter(Boolean)) {
    if (cmd === 'count') process.stdout.write(`${count}\n`)
    if (cmd === 'reset') ((count = 0), process.stdout.write('0\n'))
  }
})
process.stdin.on('end', () => smtp.close().then(() => process.exit(0)))
