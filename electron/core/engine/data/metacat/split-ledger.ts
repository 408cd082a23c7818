import { randomUUID } from 'node:crypto'
import { DatasetError } from '../data-handler'
import type { DataDispatcherClient } from './data-dispatcher-client'

/**
 * Which files the stateful splits (drainingn, byexistingruns, stagedfiles) have already handed
 * out. POMS keeps this in its own table (the fids of earlier projects of the stage, less those
 * marked splits_reset); SAM-side POMS keeps a cumulative snapshot. Here each slice is recorded as a
 * *ledger entry* whose id becomes the stage's cursor, chained to the entry before it, so:
 * - the cursor alone says what was delivered (no "splits_reset" flag: a reset cursor is a new chain);
 * - restoring an earlier submission's cursor restores exactly what had been delivered then.
 */

export interface LedgerFile {
  fid: string
  namespace: string
  name: string
}

export interface LedgerEntry {
  experiment: string
  stageId: string
  splitType: string
  /** The cursor before this slice (null: the first slice of a chain). */
  previous: number | null
  files: LedgerFile[]
  /** The MQL that chose the slice, kept for people reading the record. */
  query: string
}

export interface SplitLedger {
  /** Every file delivered by the chain ending at `cursor` (none for null). */
  delivered(cursor: number | null): Promise<LedgerFile[]>
  /** Records a slice; returns the new cursor. */
  record(entry: LedgerEntry): Promise<number>
}

/** Attribute names on ledger projects; POMS's own project attributes use the same `poms_` prefix. */
const A = { ledger: 'poms_split_ledger', chain: 'poms_ledger_chain', previous: 'poms_ledger_previous' } as const

/**
 * The ledger kept in Data Dispatcher itself: each entry is a project holding the slice's files (fid
 * in each handle's attributes), cancelled at once so no worker ever draws from it, and tagged with
 * its chain and predecessor. Reading a chain is two calls: the cursor's project, then every
 * project of its chain (`/projects?owner=all&attributes=…`).
 */
export function dataDispatcherLedger(dd: DataDispatcherClient): SplitLedger {
  async function chainOf(cursor: number): Promise<string> {
    const head = await dd.project(cursor, { withFiles: false })
    const chain = head?.attributes[A.chain]
    if (!head || head.attributes[A.ledger] !== true || typeof chain !== 'string') {
      throw new DatasetError(`split cursor ${cursor} is not a split ledger project in Data Dispatcher; reset the stage's split`)
    }
    return chain
  }

  return {
    async delivered(cursor) {
      if (cursor === null) return []
      const chain = await chainOf(cursor)
      const entries = new Map((await dd.projects({ owner: 'all', attributes: { [A.chain]: chain }, withHandles: true })).map((p) => [p.project_id, p]))
      const out: LedgerFile[] = []
      // Walk back from the cursor: entries recorded after it (a cursor restored to an earlier point) do not count.
      for (let id: number | null = cursor; id !== null; ) {
        const p = entries.get(id)
        if (!p) throw new DatasetError(`split ledger chain ${chain} is missing entry ${id} in Data Dispatcher; reset the stage's split`)
        for (const h of p.file_handles ?? []) {
          if (typeof h.attributes.fid === 'string') out.push({ fid: h.attributes.fid, namespace: h.namespace, name: h.name })
        }
        const prev = p.attributes[A.previous]
        id = typeof prev === 'number' ? prev : null
      }
      return out
    },

    async record(entry) {
      const chain = entry.previous === null ? randomUUID() : await chainOf(entry.previous)
      const project = await dd.createProject({
        files: entry.files.map((f) => ({ namespace: f.namespace, name: f.name, attributes: { fid: f.fid } })),
        query: entry.query,
        attributes: {
          [A.ledger]: true,
          [A.chain]: chain,
          [A.previous]: entry.previous,
          poms_experiment: entry.experiment,
          poms_stage_id: entry.stageId,
          poms_split_type: entry.splitType,
        },
      })
      await dd.cancelProject(project.project_id)
      return project.project_id
    },
  }
}
