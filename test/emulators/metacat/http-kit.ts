import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { FaultRules } from '../shared/fault-rules'
import { listenOnLoopback } from '../shared/listen-loopback'

export type { FaultMatch } from '../shared/fault-rules'

/**
 * The HTTP plumbing shared by the MetaCat, Data Dispatcher and Rucio emulators (Data Dispatcher's
 * real server is built on MetaCat's handler classes; Rucio borrows the kit for its fault switches).
 */

export interface EmuRequest {
  method: string
  /** The path without the query string, decoded segment by segment only by the routes that want it. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: string
}

export interface EmuReply {
  status: number
  body: string
  contentType: string
  headers?: Record<string, string>
}

export const reply = (status: number, body: string, contentType: string, headers?: Record<string, string>): EmuReply => ({
  status,
  body,
  contentType,
  ...(headers ? { headers } : {}),
})
export const text = (body: string, status = 200): EmuReply => reply(status, body, 'text/plain')

/** A response a test forces in place of the real answer; 'reset' drops the connection. */
export type FaultAction =
  | { status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | 'reset'
  /** A 200 with the route's own content type and a body cut in half (a proxy that broke off). */
  | 'garbage'
  /** A 200 HTML page, as a login portal or a proxy error page would send. */
  | 'html'

/** The switches a test flips: 5xx storms, garbage bodies, HTML pages, dropped connections, slow answers. */
export class Faults extends FaultRules<FaultAction> {}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  close(): Promise<void>
}

/** Serves `route` on 127.0.0.1 at a free port, applying the fault switches first; `log` gets `METHOD path` per request. */
export async function serve(route: (req: EmuRequest) => EmuReply | Promise<EmuReply>, faults: Faults, log: string[] = []): Promise<RunningServer> {
  const server: Server = createServer((incoming, res) => {
    const chunks: Buffer[] = []
    incoming.on('data', (c: Buffer) => chunks.push(c))
    incoming.on('end', () => {
      void (async () => {
        const url = new URL(incoming.url ?? '/', 'http://emulator.invalid')
        const req: EmuRequest = {
          method: (incoming.method ?? 'GET').toUpperCase(),
          path: url.pathname,
          query: url.searchParams,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }
        log.push(`${req.method} ${req.path}`)
        const wait = faults.delayFor(req.method, req.path)
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
        if (res.destroyed) return
        const fault = faults.take(req.method, req.path)
        if (fault === 'reset') {
          res.socket?.destroy()
          return
        }
        let out: EmuReply
        if (fault === 'html') out = reply(200, '<html><body><h1>502 Proxy Error</h1></body></html>', 'text/html; charset=utf-8')
        else if (fault && fault !== 'garbage') out = reply(fault.status, fault.body ?? '', fault.contentType ?? 'text/plain', fault.headers)
        else {
          try {
            out = await route(req)
          } catch (err) {
            out = text(`Internal emulator error: ${(err as Error).message}`, 500)
          }
          if (fault === 'garbage') out = { ...out, status: 200, body: `${out.body.slice(0, Math.floor(out.body.length / 2))}\u0000<<truncated` }
        }
        res.writeHead(out.status, { 'Content-Type': out.contentType, ...(out.headers ?? {}) })
        res.end(out.body)
      })()
    })
  })
  const port = await listenOnLoopback(server)
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
