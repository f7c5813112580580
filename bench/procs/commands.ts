// The line protocol between bench/send.ts and its child processes: one command per stdin line, one answer line.
// "cpu" answers with the process's CPU time so far, "<user> <system>" in µs; other commands are the caller's.

/** Answers commands on stdin until it closes, then calls `onEnd`. */
export function answerCommands(handlers: Record<string, () => string>, onEnd: () => void) {
  const all: Record<string, () => string> = {
    cpu: () => {
      const { user, system } = process.cpuUsage()
      return `${user} ${system}`
    },
    ...handlers,
  }
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    for (const cmd of chunk.split('\n').filter(Boolean)) {
      const handle = all[cmd]
      if (handle) process.stdout.write(`${handle()}\n`)
    }
  })
  process.stdin.on('end', onEnd)
}
