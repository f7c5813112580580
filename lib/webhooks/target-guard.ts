import { BlockList, isIP } from 'node:net'

/**
 * Addresses a webhook may not reach unless the config allows them (SSRF): this host, private networks, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), shared CGNAT space, multicast and reserved ranges
 * (RFC 6890 special-purpose registries). IPv4-mapped and NAT64 IPv6 forms are checked as the IPv4 they carry.
 */
const BLOCKED: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['100::', 64, 'ipv6'],
]

const blocked = new BlockList()
for (const [net, prefix, family] of BLOCKED) blocked.addSubnet(net, prefix, family)

/** The IPv4 address an IPv6 address carries when it is IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16). */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase()
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped) return mapped[1]
  const hexMapped = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower)
  const m = hexMapped ?? sixToFour
  if (!m) return null
  const hi = parseInt(m[1], 16)
  const lo = parseInt(m[2], 16)
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

/** `allowPrivateWebhookTargets` of the config: false (public addresses only), true (anything), or CIDRs allowed. */
export type PrivateTargets = boolean | string[]

/** Parses `10.0.0.0/8`, `::1/128` or a bare address (a /32 or /128) into a BlockList rule; null when malformed. */
export function parseCidr(cidr: string): { net: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [net, bits, extra] = cidr.trim().split('/')
  const v = isIP(net)
  if (!v || extra !== undefined) return null
  const max = v === 4 ? 32 : 128
  const prefix = bits === undefined ? max : Number(bits)
  if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) return null
  return { net, prefix, family: v === 4 ? 'ipv4' : 'ipv6' }
}

/**
 * A check of resolved addresses for webhook delivery: returns why `address` may not be reached, or null when it
 * may. Public addresses always may; special-purpose ones only when `allow` is true or one of its CIDRs covers them.
 */
export function targetChecker(allow: PrivateTargets): (address: string) => string | null {
  if (allow === true) return () => null
  const allowed = new BlockList()
  for (const cidr of allow || []) {
    const r = parseCidr(cidr)
    if (r) allowed.addSubnet(r.net, r.prefix, r.family)
  }
  const inList = (list: BlockList, address: string) => {
    const v4 = isIP(address) === 6 ? embeddedIpv4(address) : null
    if (v4) return list.check(v4, 'ipv4')
    return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6')
  }
  return (address) => {
    if (!isIP(address)) return `${address} is not an IP address`
    if (!inList(blocked, address) || inList(allowed, address)) return null
    return `${address} is a private, loopback, link-local or reserved address; allow it with allowPrivateWebhookTargets`
  }
}
