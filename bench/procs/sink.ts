// The benchmark's SMTP sink, in its own process: STARTTLS + AUTH like a real relay; counts what it accepts.
// Prints one JSON line {port, user, pass, ca} when listening; answers "count" with the count so far, "reset"
// sets it to 0, "cpu" as in commands.ts.
import { startSmtp } from '../../test/servers/smtp.js'
import { answerCommands } from './commands.js'

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
answerCommands(
  {
    count: () => String(count),
    reset: () => String((count = 0)),
  },
  () => smtp.close().then(() => process.exit(0)),
)
