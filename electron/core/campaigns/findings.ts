import type { Finding } from '../../../shared/domain/campaign-document'
import { ImportTally } from '../../../shared/campaign-file/import-report'

/** A Finding with the positions it does not know left null. */
export const finding = (code: string, message: string, at: Partial<Omit<Finding, 'code' | 'message'>> = {}): Finding => ({
  code,
  message,
  line: at.line ?? null,
  column: at.column ?? null,
  section: at.section ?? null,
  key: at.key ?? null,
  path: at.path ?? null,
})

export const emptyTally = (): ImportTally => ImportTally.parse({})

/** Adds a name to a tally list once. */
export function tallyOnce(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name)
}
