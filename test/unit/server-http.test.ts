import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { fail } from '../../shared/api/envelope'
import type { ErrorCode } from '../../shared/errors'
import { CONTENT_SECURITY_POLICY } from '../../electron/main/content-security-policy'
import { createHttpServer, type HttpServerOptions } from '../../electron/server/http-server'
import { createFakeCore, createRecordingLogger } from '../main/support/fake-core'

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuvw'
const INDEX_HTML = '<!doctype html><title>POMS</title><div id="app"></div>'
const SECRET = 'this-file-is-outside-the-renderer-folder'

/** A temp folder with a built "renderer" in it and a secret file beside it (outside the served root). */
function makeSite(withIndex = true) {
  const base = mkdtempSync(join(tmpdir(), 'poms-http-'))
  const rendererDir = join(base, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  if (withIndex) writeFileSync(join(rendererDir, 'index.html'), INDEX_HTML)
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")')
  writeFileSync(join(rendererDir, '.env'), 'HIDDEN=1')
  writeFileSync(join(base, 'secret.txt'), SECRET)
  return { base, rendererDir }
}

async function startServer(overrides: Partial<HttpServerOptions> = {}, site = makeSite()) {
  const fake = createFakeCore('alice')
  const log = createRecordingLogger()
  const server = createHttpServer({
    core: fake.core,
    token: TOKEN,
    rendererDir: site.rendererDir,
    version: '9.8.7',
    logger: log.logger,
    ...overrides,
  })
  const { url, port } = await server.listen()
  return {
    ...fake,
    log,
    url,
    port,
    async close() {
      await server.close()
      rmSync(site.base, { recursive: true, force: true })
    },
  }
}
type Started = Awaited<ReturnType<typeof startServer>>

const auth = { authorization: `Bearer ${TOKEN}` }

async function call(s: Started, path: string, init: RequestInit = {}) {
  const res = await fetch(new URL(path, s.url), init)
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body }
}

const post = (s: Started, channel: string, body: string | undefined, headers: Record<string, string> = {}) =>
  call(s, `/api/v1/${channel}`, {
    method: 'POST',
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body,
  })

/**
 * node:http, because fetch normalises `..` away and will not send a Host header of our choosing.
 * `host: ''` sends no Host header at all.
 */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const noHost = headers.host === ''
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => !(noHost && name === 'host')))
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: sent, setHost: !noHost }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('channels over HTTP', () => {
  let s: Started
  beforeAll(async () => (s = await startServer()))
  afterAll(() => s.close())
  afterEach(() => {
    s.core.dispatch.mockClear()
    s.core.dispatch.mockImplementation(async (_channel: string, input: unknown) => ({ ok: true as const, value: { echoed: input } }))
  })

  it('dispatches POST /api/v1/<channel> to the core as the local user on the web face and answers the envelope', async () => {
    const res = await post(s, 'campaigns:list', JSON.stringify({ experiment: 'dune' }))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true, value: { echoed: { experiment: 'dune' } } })
    expect(s.core.dispatch).toHaveBeenCalledWith('campaigns:list', { experiment: 'dune' }, { username: 'alice', face: 'web' })
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('accepts a percent-encoded colon in the channel name', async () => {
    const res = await post(s, 'session%3Aget', '{}')
    expect(res.status).toBe(200)
    expect(s.core.dispatch).toHaveBeenCalledWith('session:get', {}, expect.anything())
  })

  it('passes no body as an empty input object', async () => {
    const res = await post(s, 'session:get', undefined)
    expect(res.status).toBe(200)
    expect(s.core.dispatch).toHaveBeenCalledWith('session:get', {}, expect.anything())
  })

  const statuses: [ErrorCode, number][] = [
    ['BAD_INPUT', 400],
    ['UNAUTHENTICATED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['CONFLICT', 409],
    ['UNAVAILABLE', 503],
    ['INTERNAL', 500],
  ]
  it.each(statuses)('answers the core error %s with HTTP %i and the error envelope', async (code, status) => {
    s.core.dispatch.mockImplementation(async () => fail({ code, message: `it went ${code}`, details: { why: 'test' } }) as never)
    const res = await post(s, 'campaigns:get', '{}')
    expect(res.status).toBe(status)
    expect(res.body).toEqual({ ok: false, error: { code, message: `it went ${code}`, details: { why: 'test' } } })
  })

  it('passes BAD_INPUT field errors through as [{path, message}]', async () => {
    const fields = [
      { path: 'value.name', message: 'a name is required' },
      { path: 'paramOverrides.0.1', message: 'too long' },
    ]
    s.core.dispatch.mockImplementation(async () => fail({ code: 'BAD_INPUT', message: 'The input is not valid', fields }) as never)
    const res = await post(s, 'campaigns:create', '{"value":{}}')
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'The input is not valid', fields } })
  })

  it('answers a core that throws (which it promises not to) with 500 INTERNAL and logs it', async () => {
    s.core.dispatch.mockImplementation(async () => {
      throw new Error('boom in the core')
    })
    const res = await post(s, 'campaigns:list', '{}')
    expect(res.status).toBe(500)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(JSON.stringify(res.body)).not.toContain('boom')
    expect(s.log.lines.some((l) => l.level === 'error' && JSON.stringify(l.data).includes('boom in the core'))).toBe(true)
  })

  it('refuses malformed JSON with a 400 BAD_INPUT envelope, without calling the core', async () => {
    const res = await post(s, 'campaigns:list', '{"experiment": ')
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: 'The request body is not valid JSON.' } })
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('refuses a body that is not JSON (text/plain, form data) with a 400 BAD_INPUT envelope', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(s, 'campaigns:list', 'experiment=dune', { 'content-type': type })
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
    }
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('refuses an empty JSON body and a prototype-poisoning body with 400 envelopes', async () => {
    expect(await post(s, 'campaigns:list', '')).toMatchObject({ status: 400, body: { ok: false, error: { code: 'BAD_INPUT' } } })
    expect(await post(s, 'campaigns:list', '{"__proto__":{"admin":true}}')).toMatchObject({ status: 400, body: { ok: false, error: { code: 'BAD_INPUT' } } })
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('refuses a body over 10 MB with a 400 BAD_INPUT envelope', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(10 * 1024 * 1024 + 1) })
    const res = await post(s, 'campaigns:create', big)
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('10 MB') } })
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('answers an unknown channel with a 404 NOT_FOUND envelope', async () => {
    const res = await post(s, 'campaigns:explode', '{}')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('campaigns:explode') } })
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('answers unknown API paths with a 404 NOT_FOUND envelope', async () => {
    for (const path of ['/api/v1/campaigns/list', '/api/v2/campaigns:list']) {
      const res = await call(s, path, { method: 'POST', headers: auth })
      expect(res.status).toBe(404)
      expect(res.body).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    }
  })

  it('answers other methods on a channel with 405, Allow: POST and the envelope', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await call(s, '/api/v1/campaigns:list', { method, headers: auth })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
      expect(res.body).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('use POST') } })
    }
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('answers a malformed URL under /api with a 400 envelope', async () => {
    const res = await raw(s.port, '/api/v1/campaigns%E0%A4%A:list', { host: `127.0.0.1:${s.port}`, ...auth }, 'POST')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } })
  })
})

describe('the bearer token', () => {
  let s: Started
  beforeAll(async () => (s = await startServer()))
  afterAll(() => s.close())
  afterEach(() => s.core.dispatch.mockClear())

  it('answers health without a token', async () => {
    const res = await call(s, '/api/v1/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true, value: { status: 'ok', version: '9.8.7' } })
  })

  it('refuses a call without a token with 401 UNAUTHENTICATED, before the core sees it', async () => {
    const res = await call(s, '/api/v1/campaigns:list', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('Bearer') } })
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('refuses a wrong token, of the same length or another, and a token in another scheme', async () => {
    const wrongSameLength = TOKEN.slice(0, -1) + (TOKEN.endsWith('w') ? 'x' : 'w')
    for (const authorization of [`Bearer ${wrongSameLength}`, 'Bearer short', `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const res = await post(s, 'campaigns:list', '{}', { authorization })
      expect(res.status, authorization).toBe(401)
      expect(res.body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    }
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('accepts the right token, whatever the case of "Bearer"', async () => {
    expect((await post(s, 'campaigns:list', '{}', { authorization: `bearer ${TOKEN}` })).status).toBe(200)
  })

  it('cannot be skipped by percent-encoding the /api prefix', async () => {
    const res = await raw(s.port, '/%61pi/v1/campaigns:list', { host: `127.0.0.1:${s.port}` }, 'POST')
    expect(res.status).toBe(401)
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('protects unknown API paths and wrong methods too (401 before 404/405)', async () => {
    expect((await call(s, '/api/v1/nothing/here', { method: 'POST' })).status).toBe(401)
    expect((await call(s, '/api/v1/campaigns:list')).status).toBe(401)
  })
})

describe('a rotated token', () => {
  it('is the only one accepted when the token comes from a function', async () => {
    let current = 'first-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    const s = await startServer({ token: () => current })
    try {
      const withToken = (t: string) => post(s, 'session:get', '{}', { authorization: `Bearer ${t}` })
      expect((await withToken('first-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(200)
      current = 'second-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
      expect((await withToken('first-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(401)
      expect((await withToken('second-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status).toBe(200)
    } finally {
      await s.close()
    }
  })
})

describe('Host and Origin checks', () => {
  let s: Started
  beforeAll(async () => (s = await startServer()))
  afterAll(() => s.close())

  it('refuses a request naming an attacker domain in Host (DNS rebinding) with 403', async () => {
    const api = await raw(s.port, '/api/v1/campaigns:list', { host: `evil.example:${s.port}`, ...auth, 'content-type': 'application/json' }, 'POST')
    expect(api.status).toBe(403)
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const health = await raw(s.port, '/api/v1/health', { host: 'evil.example' })
    expect(health.status).toBe(403)
    const page = await raw(s.port, '/', { host: `evil.example:${s.port}` })
    expect(page.status).toBe(403)
    expect(page.body).not.toContain(INDEX_HTML)
    expect(page.headers['content-type']).toMatch(/^text\/plain/)
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('refuses the right name on the wrong port, and a missing Host', async () => {
    expect((await raw(s.port, '/api/v1/health', { host: `127.0.0.1:${s.port + 1}` })).status).toBe(403)
    // Node itself refuses an HTTP/1.1 request without Host (400) before fastify sees it.
    const noHost = await raw(s.port, '/api/v1/health', { host: '' })
    expect([400, 403]).toContain(noHost.status)
    expect(noHost.body).not.toContain('"ok":true')
  })

  it('answers 127.0.0.1, localhost and [::1] on its port', async () => {
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `LOCALHOST:${s.port}`, `[::1]:${s.port}`]) {
      expect((await raw(s.port, '/api/v1/health', { host })).status, host).toBe(200)
    }
  })

  it('refuses a foreign Origin with 403, even with the right token', async () => {
    for (const origin of ['http://evil.example', `https://127.0.0.1:${s.port}`, 'null', `http://127.0.0.1:${s.port}.evil.example`]) {
      const res = await post(s, 'campaigns:list', '{}', { origin })
      expect(res.status, origin).toBe(403)
      expect(res.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    }
    expect(s.core.dispatch).not.toHaveBeenCalled()
  })

  it('accepts our own Origin', async () => {
    for (const origin of [`http://127.0.0.1:${s.port}`, `http://localhost:${s.port}`]) {
      expect((await post(s, 'campaigns:list', '{}', { origin })).status, origin).toBe(200)
    }
  })

  it('answers extra allowed hosts, given with or without a port', async () => {
    const t = await startServer({ extraAllowedHosts: ['poms.example.org', 'proxy.example.org:8443'] })
    try {
      expect((await raw(t.port, '/api/v1/health', { host: `poms.example.org:${t.port}` })).status).toBe(200)
      expect((await raw(t.port, '/api/v1/health', { host: 'proxy.example.org:8443' })).status).toBe(200)
      expect((await raw(t.port, '/api/v1/health', { host: `poms.example.org:${t.port}`, origin: `http://poms.example.org:${t.port}` })).status).toBe(200)
      expect((await raw(t.port, '/api/v1/health', { host: `other.example.org:${t.port}` })).status).toBe(403)
    } finally {
      await t.close()
    }
  })
})

describe('binding', () => {
  it('binds 127.0.0.1 by default and logs no warning', async () => {
    const s = await startServer()
    try {
      expect(s.url).toBe(`http://127.0.0.1:${s.port}/`)
      expect(s.log.lines.filter((l) => l.level === 'warn')).toEqual([])
    } finally {
      await s.close()
    }
  })

  it('warns when binding a non-loopback address, and still prints a URL this machine can open', async () => {
    const s = await startServer({ host: '0.0.0.0' })
    try {
      expect(s.log.lines.some((l) => l.level === 'warn' && /non-loopback/.test(l.msg))).toBe(true)
      expect(s.url).toBe(`http://127.0.0.1:${s.port}/`)
      expect((await call(s, '/api/v1/health')).status).toBe(200)
    } finally {
      await s.close()
    }
  })
})

describe('the static renderer', () => {
  let s: Started
  beforeAll(async () => (s = await startServer()))
  afterAll(() => s.close())

  const CSP =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

  it('serves index.html at / with the CSP and the other security headers, never cached', async () => {
    const res = await call(s, '/')
    expect(res.status).toBe(200)
    expect(res.body).toBe(INDEX_HTML)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('content-security-policy')).toBe(CSP)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('serves /index.html uncached too, and assets with the CSP', async () => {
    expect((await call(s, '/index.html')).headers.get('cache-control')).toBe('no-store')
    const asset = await call(s, '/assets/app.js')
    expect(asset.status).toBe(200)
    expect(asset.body).toBe('console.log("app")')
    expect(asset.headers.get('content-security-policy')).toBe(CSP)
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('uses the renderer policy of the desktop app, plus frame-ancestors', () => {
    expect(CSP).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`)
  })

  it('answers a missing file with 404, and does not serve dotfiles', async () => {
    expect((await call(s, '/assets/nope.js')).status).toBe(404)
    const dotfile = await call(s, '/.env')
    expect(dotfile.status).not.toBe(200)
    expect(String(dotfile.body)).not.toContain('HIDDEN')
  })

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%5csecret.txt',
  ])('does not let %s out of the renderer folder', async (path) => {
    const res = await raw(s.port, path, { host: `127.0.0.1:${s.port}` })
    expect(res.status).not.toBe(200)
    expect(res.body).not.toContain(SECRET)
  })

  it('does not serve the repository package.json through traversal', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/../../package.json', '/%2e%2e%2f%2e%2e%2fpackage.json']) {
      const res = await raw(s.port, path, { host: `127.0.0.1:${s.port}` })
      expect(res.status, path).not.toBe(200)
      expect(res.body).not.toContain('"name"')
    }
  })

  it('answers / with 503 and what to run when the renderer is not built', async () => {
    const t = await startServer({}, makeSite(false))
    try {
      const res = await call(t, '/')
      expect(res.status).toBe(503)
      expect(res.body).toMatch(/npm run build/)
      expect(res.headers.get('content-security-policy')).toBe(CSP)
    } finally {
      await t.close()
    }
  })
})

/** A ws client that queues what the server sends, so a test can await "the next message" or the close. */
async function openEvents(s: Started, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${s.url.replace('http:', 'ws:')}api/v1/events`, { headers })
  const queue: unknown[] = []
  const waiters: ((m: unknown) => void)[] = []
  ws.on('message', (data) => {
    const message: unknown = JSON.parse(data.toString())
    const waiter = waiters.shift()
    if (waiter) waiter(message)
    else queue.push(message)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    queue,
    closed,
    send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise<unknown>((resolve) => waiters.push(resolve))),
  }
}

const settle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the events WebSocket', () => {
  let s: Started
  beforeAll(async () => (s = await startServer({ wsAuthTimeoutMs: 300 })))
  afterAll(() => s.close())

  it('answers a right auth first message with ready, then pushes core events; nothing before auth', async () => {
    const c = await openEvents(s)
    s.emit('campaigns:changed', { experiment: 'dune', ids: ['before-auth'] })
    await settle()
    expect(c.queue).toEqual([])
    expect(s.listenerCount()).toBe(0)

    c.send({ type: 'auth', token: TOKEN })
    expect(await c.next()).toEqual({ type: 'ready' })
    expect(s.listenerCount()).toBe(1)
    s.emit('campaigns:changed', { experiment: 'dune', ids: ['after-auth'] })
    s.emit('tasks:updated', { task: { id: 't1' } })
    expect(await c.next()).toEqual({ type: 'event', name: 'campaigns:changed', payload: { experiment: 'dune', ids: ['after-auth'] } })
    expect(await c.next()).toEqual({ type: 'event', name: 'tasks:updated', payload: { task: { id: 't1' } } })

    c.ws.close()
    await c.closed
    await settle(50)
    expect(s.listenerCount()).toBe(0)
  })

  it('answers ping with pong after auth and ignores anything else', async () => {
    const c = await openEvents(s)
    c.send({ type: 'auth', token: TOKEN })
    expect(await c.next()).toEqual({ type: 'ready' })
    c.send('not json')
    c.send({ type: 'auth', token: 'again' })
    c.send({ type: 'ping' })
    expect(await c.next()).toEqual({ type: 'pong' })
    expect(c.ws.readyState).toBe(WebSocket.OPEN)
    c.ws.close()
    await c.closed
  })

  it.each([
    ['a wrong token', { type: 'auth', token: 'wrong' }],
    ['a token of the wrong type', { type: 'auth', token: 42 }],
    ['a first message that is not auth', { type: 'ping' }],
    ['a first message that is not JSON', '{nope'],
  ])('sends an UNAUTHENTICATED error and closes with 4401 after %s', async (_what, first) => {
    const c = await openEvents(s)
    c.send(first)
    expect(await c.next()).toMatchObject({ type: 'error', error: { code: 'UNAUTHENTICATED', message: expect.any(String) } })
    expect((await c.closed).code).toBe(4401)
    s.emit('campaigns:changed', { experiment: 'dune', ids: [] })
    expect(s.listenerCount()).toBe(0)
  })

  it('closes with 4401 when no auth arrives in time', async () => {
    const c = await openEvents(s)
    const started = Date.now()
    expect((await c.closed).code).toBe(4401)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(c.queue).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })])
  })

  it('refuses the upgrade from a foreign Origin or for a foreign Host with 403', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, { host: `evil.example:${s.port}` }] as Record<string, string>[]) {
      await expect(openEvents(s, headers)).rejects.toThrow(/403/)
    }
  })

  it('accepts the upgrade from our own Origin', async () => {
    const c = await openEvents(s, { origin: `http://localhost:${s.port}` })
    c.send({ type: 'auth', token: TOKEN })
    expect(await c.next()).toEqual({ type: 'ready' })
    c.ws.close()
    await c.closed
  })

  it('tells a plain GET to use a WebSocket, with the envelope', async () => {
    const res = await call(s, '/api/v1/events')
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('WebSocket') } })
  })
})

describe('closing the server', () => {
  it('closes open event sockets with 1001 and stops listening', async () => {
    const s = await startServer()
    const c = await openEvents(s)
    c.send({ type: 'auth', token: TOKEN })
    expect(await c.next()).toEqual({ type: 'ready' })
    const started = Date.now()
    await s.close()
    expect((await c.closed).code).toBe(1001)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(s.listenerCount()).toBe(0)
    await expect(fetch(new URL('/api/v1/health', s.url))).rejects.toThrow()
  })
})
