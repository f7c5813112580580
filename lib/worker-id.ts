import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'

/**
 * Which machine and pid namespace this process runs in (Linux: `/proc/sys/kernel/random/boot_id` and the pid
 * namespace of `/proc/self/ns/pid`), or null where `/proc` is absent. Two processes with the same value see the
 * same pids, so one can tell whether the other is still running.
 */
function readMachine(): string | null {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}~${readlinkSync('/proc/self/ns/pid')}`
  } catch {
    return null
  }
}
const machine = readMachine()
// Told apart from an earlier process that had the same pid (in a container the gateway is often always pid 1).
const processToken = randomBytes(6).toString('hex')

/**
 * A new lease owner id, `<prefix>-<uuid>`, with `@<machine>/<pid>.<process token>` where the machine is known, so
 * that a process restarted after a crash can see that the lease's holder is gone instead of waiting the lease out.
 * `pid` and `token` are for tests; they default to this process's.
 */
export function newWorkerId(prefix: string, pid = process.pid, token = processToken): string {
  return `${prefix}-${randomUUID()}${machine ? `@${machine}/${pid}.${token}` : ''}`
}

/**
 * Whether the lease owner `owner` (from newWorkerId) is certainly no longer running: it ran on this machine and
 * pid namespace, and no process has its pid now (or this process has it, and the id is an earlier process's). Any other
 * owner (another machine, another container, an older id format) is presumed alive: its lease runs out instead.
 */
export function workerIsGone(owner: string): boolean {
  const at = owner.lastIndexOf('@')
  if (!machine || at < 0) return false
  const slash = owner.lastIndexOf('/')
  if (owner.slice(at + 1, slash) !== machine) return false
  const [pidText, token] = owner.slice(slash + 1).split('.')
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0 || !token) return false
  if (pid === process.pid) return token !== processToken
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    // EPERM: a process of another user has that pid, so it may be the owner.
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
