import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatasetError, shareFiles } from '../../electron/core/engine/data/data-handler'
import { createLocalFileLister } from '../../electron/core/engine/data/local-file-lister'

let dir: string
const handler = createLocalFileLister()
const file = (name: string) => join(dir, name)

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poms-data-'))
  for (const name of ['b.dat', 'a.dat', 'c.dat', 'note.txt']) writeFileSync(file(name), name)
  mkdirSync(file('sub'))
  writeFileSync(file('sub/d.dat'), 'd')
  mkdirSync(file('folder.dat'))
  writeFileSync(file('list.txt'), `# inputs\n${file('c.dat')}\n\n  ${file('a.dat')}  \n# done\n`)
  writeFileSync(file('bad-list.txt'), `${file('a.dat')}\n${file('gone.dat')}\n`)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function datasetError(spec: string): Promise<DatasetError> {
  try {
    await handler.listFiles(spec)
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError)
    return err as DatasetError
  }
  throw new Error(`expected ${spec} to be refused`)
}

describe('the local data handler', () => {
  it('answers no files for an empty dataset', async () => {
    expect(await handler.listFiles('   ')).toEqual([])
  })

  it('expands a glob to the matching files only, sorted', async () => {
    expect(await handler.listFiles(join(dir, '*.dat'))).toEqual([file('a.dat'), file('b.dat'), file('c.dat')])
    expect(await handler.listFiles(join(dir, '**', '*.dat'))).toEqual([file('a.dat'), file('b.dat'), file('c.dat'), file('sub/d.dat')])
  })

  it('refuses a glob that matches nothing or is relative', async () => {
    expect((await datasetError(join(dir, '*.root'))).message).toMatch(/no files match/)
    expect((await datasetError('*.dat')).message).toMatch(/must be an absolute path/)
  })

  it('takes a list separated by commas or newlines, in its own order', async () => {
    expect(await handler.listFiles(`${file('c.dat')}, ${file('a.dat')}\n${file('note.txt')}`)).toEqual([file('c.dat'), file('a.dat'), file('note.txt')])
  })

  it('refuses a listed file that does not exist, a folder, or a relative path', async () => {
    expect((await datasetError(`${file('a.dat')},${file('gone.dat')}`)).message).toBe(`input file ${file('gone.dat')} does not exist`)
    expect((await datasetError(file('folder.dat'))).message).toMatch(/is not a file/)
    expect((await datasetError('a.dat')).message).toMatch(/not an absolute path/)
  })

  it('reads an @listfile, skipping blank lines and # comments', async () => {
    expect(await handler.listFiles(`@${file('list.txt')}`)).toEqual([file('c.dat'), file('a.dat')])
  })

  it('refuses an @listfile that is missing, relative, or names a missing file', async () => {
    expect((await datasetError(`@${file('nolist.txt')}`)).message).toMatch(/cannot be read/)
    expect((await datasetError('@list.txt')).message).toMatch(/must be an absolute path/)
    expect((await datasetError(`@${file('bad-list.txt')}`)).message).toMatch(/gone\.dat does not exist/)
  })
})

describe('shareFiles', () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`)

  it.each([
    [20, 5, [4, 4, 4, 4, 4]],
    [7, 3, [3, 2, 2]],
    [2, 4, [1, 1, 0, 0]],
    [0, 3, [0, 0, 0]],
    [5, 1, [5]],
  ])('%i files over %i jobs → %j', (files, jobs, sizes) => {
    expect(shareFiles(names(files), jobs).map((s) => s.length)).toEqual(sizes)
  })

  it('hands out every file exactly once, in order, in contiguous shares that differ by at most one', () => {
    fc.assert(
      fc.property(fc.nat({ max: 300 }), fc.integer({ min: 1, max: 50 }), (n, jobs) => {
        const shares = shareFiles(names(n), jobs)
        expect(shares).toHaveLength(jobs)
        expect(shares.flat()).toEqual(names(n))
        const sizes = shares.map((s) => s.length)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
        expect([...sizes].sort((a, b) => b - a)).toEqual(sizes)
      }),
    )
  })
})
