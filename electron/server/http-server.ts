import fastifyWebsocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { CoreApi } from '../core/core-api'
import type { Logger } from '../core/ports'
import { allowedHosts, isLoopbackAddress, urlHost } from './http/allowed-hosts'
import { isBrowserBlockedPort } from './http/browser-blocked-ports'
import { registerApiRoutes } from './http/api-routes'
import type { TokenSource } from './http/bearer-token'
import { BODY_LIMIT_BYTES } from './http/envelope-replies'
import { closeEventSockets, registerEventSocket, WS_MAX_CLIENT_MESSAGE_BYTES } from './http/event-socket'
import { answerError, answerNotFound } from './http/fallback-replies'
import { guardHostAndOrigin, requireBearerToken } from './http/request-guards'
import { addSecurityHeaders } from './http/security-headers'
import { registerStaticRenderer } from './http/static-renderer'

export interface HttpServerOptions {
  core: CoreApi
  /** The bearer token, or a function that returns the current one (so a rotation applies at once). */
  token: string | TokenSource
  /** Address to bind; loopback unless told otherwise (architecture.md §2). */
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** The built renderer (out/renderer). */
  rendererDir: string
  version: string
  logger: Logger
  /** More `Host` names to answer to, e.g. a team server's DNS name (`name` or `name:port`). */
  extraAllowedHosts?: readonly string[]
  /** How long an event socket may take to authenticate; tests shorten it. */
  wsAuthTimeoutMs?: number
}

export interface HttpServer {
  listen(): Promise<{ url: string; port: number }>
  close(): Promise<void>
}

/** The host to put in the URL we print: one a browser on this machine can reach and we answer to. */
function urlHostFor(bindHost: string): string {
  if (bindHost === '::1' || bindHost === '[::1]') return '[::1]'
  const unspecified = bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '[::]'
  return isLoopbackAddress(bindHost) || unspecified ? '127.0.0.1' : urlHost(bindHost)
}

interface Wiring {
  opts: HttpServerOptions
  logger: Logger
  token: TokenSource
  /** The Host names we answer to; empty (nothing allowed) until we know our port. */
  hosts: () => ReadonlySet<string>
}

async function buildApp({ opts, logger, token, hosts }: Wiring): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // A malformed URL is refused before routing; keep the envelope for /api even then.
    frameworkErrors: answerError(logger),
  })

  // First, so its hook marks upgrade requests before our guards may refuse them (a refused
  // upgrade's socket is then closed by the plugin instead of lingering).
  await app.register(fastifyWebsocket, {
    options: { maxPayload: WS_MAX_CLIENT_MESSAGE_BYTES },
    preClose: (done) => closeEventSockets(app, done),
  })
  guardHostAndOrigin(app, hosts, logger)
  requireBearerToken(app, token)
  addSecurityHeaders(app)

  // Only JSON reaches the API: no text/plain "simple requests" from other sites.
  app.removeContentTypeParser('text/plain')
  app.setErrorHandler(answerError(logger))
  app.setNotFoundHandler(answerNotFound)
  app.addHook('onResponse', async (request, reply) => {
    logger.debug('request', { method: request.method, route: request.routeOptions.url ?? null, status: reply.statusCode, ms: Math.round(reply.elapsedTime) })
  })

  registerApiRoutes(app, { core: opts.core, version: opts.version, logger })
  registerEventSocket(app, { core: opts.core, token, logger, authTimeoutMs: opts.wsAuthTimeoutMs })
  await registerStaticRenderer(app, opts.rendererDir)
  return app
}

/**
 * The server face: the contract over HTTP + WebSocket, with the built renderer beside it
 * (architecture.md §2). Nothing here knows what the channels do; the core does.
 */
export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const host = opts.host ?? '127.0.0.1'
  const logger = opts.logger.child('http')
  const fixedToken = opts.token
  const token: TokenSource = typeof fixedToken === 'string' ? () => fixedToken : fixedToken
  let hosts: ReadonlySet<string> = new Set()
  let app: FastifyInstance | null = null

  /** Port 0 may hand out a port browsers refuse to reach; draw again until it does not. */
  async function listenOnUsablePort(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      app = await buildApp({ opts, logger, token, hosts: () => hosts })
      await app.listen({ host, port: opts.port ?? 0 })
      const { port } = app.server.address() as AddressInfo
      if (opts.port || !isBrowserBlockedPort(port) || attempt >= 20) return port
      await app.close()
    }
  }

  return {
    async listen() {
      if (app) throw new Error('this server is already listening')
      if (!isLoopbackAddress(host)) {
        logger.warn('binding a non-loopback address: anyone who can reach it and has the token can use this store', { host })
      }
      const port = await listenOnUsablePort()
      hosts = allowedHosts({ host, port }, opts.extraAllowedHosts)
      const url = `http://${urlHostFor(host)}:${port}/`
      logger.info('listening', { url })
      return { url, port }
    },
    async close() {
      await app?.close()
    },
  }
}
