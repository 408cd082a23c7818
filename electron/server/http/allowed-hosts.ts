/**
 * Host and Origin rules against DNS rebinding: a page on an attacker's domain that resolves to
 * 127.0.0.1 still sends its own name in `Host` and `Origin`, so only names we chose are accepted.
 */

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare)
}

/** `host` as it appears in a URL authority: IPv6 addresses get brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/**
 * Every `Host` value we answer to, lower-cased: the loopback names, the address we bind (when it is
 * another one) and any extra names (a team server's DNS name; given without a port, ours is added).
 * Browsers leave out `:80`, so on port 80 the bare names count too.
 */
export function allowedHosts(bind: { host: string; port: number }, extra: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_NAMES)
  if (!isLoopbackAddress(bind.host)) names.add(urlHost(bind.host))
  const hosts = new Set<string>()
  const add = (name: string) => {
    hosts.add(`${name}:${bind.port}`.toLowerCase())
    if (bind.port === 80) hosts.add(name.toLowerCase())
  }
  for (const name of names) add(name)
  for (const entry of extra) {
    if (/:\d+$/.test(entry)) hosts.add(entry.toLowerCase())
    else add(urlHost(entry))
  }
  return hosts
}

export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  return hostHeader !== undefined && allowed.has(hostHeader.toLowerCase())
}

/** A request without `Origin` (curl, scripts, same-origin GETs) is fine; one with it must be ours. */
export function isAllowedOrigin(originHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (originHeader === undefined) return true
  const prefix = 'http://'
  const origin = originHeader.toLowerCase()
  return origin.startsWith(prefix) && allowed.has(origin.slice(prefix.length))
}
