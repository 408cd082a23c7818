import { ESLint } from 'eslint'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/core-harness'

const eslint = new ESLint({ cwd: REPO_ROOT })

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules (architecture.md §3)', () => {
  it.each([
    'electron/core/engine/example.ts',
    'electron/server/example.ts',
    'shared/domain/example.ts',
    'renderer/src/example.ts',
  ])("refuses an 'electron' import in %s", async (file) => {
    const messages = await restrictedImports(file, "import { app } from 'electron'\nexport const x = app\n")
    expect(messages.join('\n')).toMatch(/Only electron\/main and electron\/preload may import 'electron'/)
  })

  it.each(['electron/main/example.ts', 'electron/preload/example.ts'])("allows 'electron' in %s", async (file) => {
    expect(await restrictedImports(file, "import { app } from 'electron'\nexport const x = app\n")).toEqual([])
  })

  it('keeps shared/ free of Node built-ins', async () => {
    const messages = await restrictedImports('shared/domain/example.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")
    expect(messages.join('\n')).toMatch(/shared\/ is pure/)
  })

  it('keeps the core below the faces', async () => {
    const messages = await restrictedImports('electron/core/example.ts', "import { x } from '../server/http-server'\nexport const y = x\n")
    expect(messages.join('\n')).toMatch(/electron\/core is below every face/)
  })

  it('keeps the renderer away from the core', async () => {
    const messages = await restrictedImports('renderer/src/example.ts', "import { x } from '../../electron/core/create-core'\nexport const y = x\n")
    expect(messages.join('\n')).toMatch(/renderer\/ imports only shared/)
  })

  it('finds no electron import outside electron/main and electron/preload in the tree', () => {
    const hits = execFileSync('git', ['grep', '-lE', "from ['\"]electron['\"]|require\\(['\"]electron['\"]\\)", '--', 'shared', 'renderer', 'electron'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((line) => line && !/^electron\/(main|preload)\//.test(line))
    expect(hits).toEqual([])
  })
})
