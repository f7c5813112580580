import { readFileSync } from 'node:fs'

/** The parent pid of `pid` from /proc/<pid>/stat (field 4, after the parenthesised name); null where unreadable. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return null
  }
}

/** Whether /proc says `pid` is npm (it sets its title to `npm <command>`, or runs as `node .../npm-cli.js`). */
function isNpm(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return /^npm( |$)/.test(argv[0]) || argv.some((a) => /(^|\/)npm(-cli\.js)?$/.test(a))
  } catch {
    return false
  }
}

/** The npm process this one runs under (through a shell, usually), looked up a few levels; null if none is found. */
function npmAncestor(): number | null {
  for (let pid: number | null = process.ppid, level = 0; pid !== null && pid > 1 && level < 4; level++) {
    if (isNpm(pid)) return pid
    pid = parentOf(pid)
  }
  return null
}

/**
 * Under `npm start`, calls `stop` when npm goes away: npm does not pass SIGTERM on to its script, and a SIGKILL'd npm
 * leaves the shell it ran the script through behind, so a supervisor (or Docker, with npm as pid 1) that stops
 * npm would leave the gateway running on its own. Watches the npm process (Linux /proc) and, anywhere, whether this
 * process was orphaned. Does nothing when not started by npm. Checks every 500 ms.
 */
export function stopWithNpm(stop: () => void): void {
  if (process.env.npm_lifecycle_event !== 'start') return
  const parent = process.ppid
  const npm = npmAncestor()
  setInterval(() => {
    if (process.ppid !== parent) return stop()
    if (npm === null) return
    try {
      process.kill(npm, 0)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') stop()
    }
  }, 500).unref()
}
