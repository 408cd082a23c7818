import { describe, expect, it } from 'vitest'
import { allowedHosts, isAllowedHost, isAllowedOrigin, isLoopbackAddress } from '../../electron/server/http/allowed-hosts'
import { bearerToken, tokensMatch } from '../../electron/server/http/bearer-token'

describe('allowed hosts', () => {
  it('are the loopback names on our port when bound to loopback', () => {
    expect([...allowedHosts({ host: '127.0.0.1', port: 4321 })].sort()).toEqual(['127.0.0.1:4321', '[::1]:4321', 'localhost:4321'])
  })

  it('add the bound address when it is not loopback, bracketing IPv6', () => {
    expect(allowedHosts({ host: '192.168.1.5', port: 80 }).has('192.168.1.5:80')).toBe(true)
    expect(allowedHosts({ host: 'fd00::5', port: 8080 }).has('[fd00::5]:8080')).toBe(true)
  })

  it('accept bare names on port 80, where browsers leave the port out', () => {
    const hosts = allowedHosts({ host: '127.0.0.1', port: 80 }, ['poms.example.org'])
    expect(isAllowedHost('localhost', hosts)).toBe(true)
    expect(isAllowedHost('poms.example.org', hosts)).toBe(true)
    expect(isAllowedOrigin('http://poms.example.org', hosts)).toBe(true)
    expect(isAllowedHost('localhost', allowedHosts({ host: '127.0.0.1', port: 8080 }))).toBe(false)
  })

  it('compare Host case-insensitively and refuse a missing one', () => {
    const hosts = allowedHosts({ host: '127.0.0.1', port: 4321 })
    expect(isAllowedHost('LocalHost:4321', hosts)).toBe(true)
    expect(isAllowedHost(undefined, hosts)).toBe(false)
    expect(isAllowedHost('localhost.evil.example:4321', hosts)).toBe(false)
  })

  it('accept a missing Origin and only http origins of allowed hosts', () => {
    const hosts = allowedHosts({ host: '127.0.0.1', port: 4321 })
    expect(isAllowedOrigin(undefined, hosts)).toBe(true)
    expect(isAllowedOrigin('http://127.0.0.1:4321', hosts)).toBe(true)
    expect(isAllowedOrigin('https://127.0.0.1:4321', hosts)).toBe(false)
    expect(isAllowedOrigin('http://127.0.0.1:4321/path', hosts)).toBe(false)
    expect(isAllowedOrigin('null', hosts)).toBe(false)
  })

  it('know loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackAddress(host), host).toBe(true)
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.org', '128.0.0.1']) expect(isLoopbackAddress(host), host).toBe(false)
  })
})

describe('bearer tokens', () => {
  it('are read from "Bearer <token>" only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('Basic abc')).toBeNull()
    expect(bearerToken('Bearer a b')).toBeNull()
    expect(bearerToken(undefined)).toBeNull()
  })

  it('match only the exact token, and never an empty expected one', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true)
    expect(tokensMatch('abd', 'abc')).toBe(false)
    expect(tokensMatch('abcd', 'abc')).toBe(false)
    expect(tokensMatch('', '')).toBe(false)
  })
})
