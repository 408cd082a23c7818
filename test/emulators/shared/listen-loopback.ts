import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isBrowserBlockedPort } from '../../../electron/server/http/browser-blocked-ports'

/**
 * Listens on a free loopback port that fetch() will connect to: where the kernel's ephemeral range
 * starts at 1024, port 0 can hand out 6000 or 6667, which fetch refuses as a "bad port".
 */
export async function listenOnLoopback(server: Server, fixedPort?: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(fixedPort ?? 0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    const { port } = server.address() as AddressInfo
    if (fixedPort !== undefined || !isBrowserBlockedPort(port) || attempt >= 20) return port
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
