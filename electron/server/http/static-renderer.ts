import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'

const INDEX = 'index.html'

/**
 * The built renderer at `/`. @fastify/static resolves every path inside `rendererDir` and refuses
 * traversal; dotfiles are refused too. index.html is never cached, so a rebuilt app shows at once
 * (its hashed assets may be).
 */
export async function registerStaticRenderer(app: FastifyInstance, rendererDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: rendererDir,
    index: false,
    dotfiles: 'deny',
    // A missing build is reported at `/` (below), not by a start-up warning.
    suppressWarning: true,
    setHeaders: (reply, path) => {
      if (basename(path) === INDEX) reply.header('cache-control', 'no-store')
    },
  })

  app.get('/', async (_request, reply) => {
    // Checked on each request so a build made while the server runs is picked up.
    if (!existsSync(join(rendererDir, INDEX))) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The POMS Desktop web interface has not been built (${rendererDir} has no ${INDEX}): run \`npm run build\`, then reload.\n`)
    }
    reply.header('cache-control', 'no-store')
    return reply.sendFile(INDEX, { cacheControl: false })
  })
}
