import { describe, expect, it } from 'vitest'
import { DatasetError } from '../../electron/core/engine/data/data-handler'
import { looksLikeLocalFiles } from '../../electron/core/engine/data/local/dataset-spec'
import { globRoot, hostPathOf, listRemoteDataset, parseRemoteDataset, type RemoteExec } from '../../electron/core/engine/data/local/remote-dataset'

/** A host whose `find` prints these records (size, mtime, path), with this exit code and stderr. */
function host(records: [number, number, string][], code = 0, stderr = '') {
  const calls: { setup: string; argv: readonly string[] }[] = []
  const exec: RemoteExec = async (setup, argv) => {
    calls.push({ setup, argv })
    return { code, stdout: records.map(([size, mtime, path]) => `${size} ${mtime} ${path}\0`).join(''), stderr }
  }
  return { exec, calls }
}

describe('remote local datasets (sftp://setup/…)', () => {
  it('parses a glob or a list after the login setup, and tells them from queries and local paths', () => {
    expect(parseRemoteDataset('sftp://gpvm/data/run1/*.root')).toEqual({ loginSetup: 'gpvm', spec: { kind: 'glob', pattern: '/data/run1/*.root' } })
    expect(parseRemoteDataset(' sftp://gpvm/data/a.root, /data/b.root ')).toEqual({ loginSetup: 'gpvm', spec: { kind: 'list', paths: ['/data/a.root', '/data/b.root'] } })
    expect(parseRemoteDataset('/data/*.root')).toBeNull()
    expect(parseRemoteDataset('defname:mc_gen')).toBeNull()
    expect(() => parseRemoteDataset('sftp://gpvm/data/a.root, b.root')).toThrow(DatasetError)
    expect(looksLikeLocalFiles('sftp://gpvm/data/*.root')).toBe(true)
    expect(looksLikeLocalFiles('defname:sftp_like')).toBe(false)
    expect(hostPathOf('sftp://gpvm/data/a b.root')).toBe('/data/a b.root')
  })

  it('starts find at the glob’s fixed folder and goes as deep as its segments (any depth for **)', () => {
    expect(globRoot('/data/run1/*.root')).toEqual({ root: '/data/run1', depth: 1 })
    expect(globRoot('/data/run*/sub/*.root')).toEqual({ root: '/data', depth: 3 })
    expect(globRoot('/data/**/*.root')).toEqual({ root: '/data', depth: null })
  })

  it('lists a glob with one find: matches only, in path order, with size and mtime, as catalog paths', async () => {
    const h = host([
      [10, 1700000000.5, '/data/run1/b.root'],
      [20, 1700000001, '/data/run1/a.root'],
      [30, 1700000002, '/data/run1/a.log'],
      [40, 1700000003, '/data/run1/.hidden.root'],
      [50, 1700000004, '/data/run1/with space.root'],
    ])
    const files = await listRemoteDataset(parseRemoteDataset('sftp://gpvm/data/run1/*.root')!, h.exec)
    expect(files).toEqual([
      { path: 'sftp://gpvm/data/run1/a.root', size: 20, mtimeMs: 1700000001000 },
      { path: 'sftp://gpvm/data/run1/b.root', size: 10, mtimeMs: 1700000000500 },
      { path: 'sftp://gpvm/data/run1/with space.root', size: 50, mtimeMs: 1700000004000 },
    ])
    expect(h.calls).toEqual([{ setup: 'gpvm', argv: ['find', '/data/run1', '-mindepth', '1', '-maxdepth', '1', '-type', 'f', '-printf', '%s %T@ %p\\0'] }])
  })

  it('keeps a list in its order and names each file that is not there', async () => {
    const listed = parseRemoteDataset('sftp://gpvm/d/b.root,/d/a.root')!
    expect(await listRemoteDataset(listed, host([[1, 1, '/d/a.root'], [2, 2, '/d/b.root']]).exec)).toEqual([
      { path: 'sftp://gpvm/d/b.root', size: 2, mtimeMs: 2000 },
      { path: 'sftp://gpvm/d/a.root', size: 1, mtimeMs: 1000 },
    ])
    // find exits 1 for a missing start point; the list says which file.
    await expect(listRemoteDataset(listed, host([[1, 1, '/d/a.root']], 1, "find: '/d/b.root': No such file or directory").exec)).rejects.toThrow(
      'input file /d/b.root does not exist on gpvm (or is not a regular file)',
    )
  })

  it('says what went wrong: nothing matched, a folder that cannot be read, an answer that is not find’s', async () => {
    const glob = parseRemoteDataset('sftp://gpvm/data/*.root')!
    await expect(listRemoteDataset(glob, host([[1, 1, '/data/x.log']]).exec)).rejects.toThrow('no files match /data/*.root on gpvm')
    await expect(listRemoteDataset(glob, host([], 1, "find: '/data': No such file or directory").exec)).rejects.toThrow("cannot list the files on gpvm: find: '/data': No such file or directory")
    const garbage: RemoteExec = async () => ({ code: 0, stdout: 'Welcome to gpvm!\0', stderr: '' })
    await expect(listRemoteDataset(glob, garbage)).rejects.toThrow(/cannot read find's answer from gpvm: "Welcome to gpvm!"/)
  })
})
