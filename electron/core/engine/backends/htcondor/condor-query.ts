import { remoteCommand } from '../../../ssh/remote-command'
import type { JobUpdate } from '../../../store/repos/job-repo'
import { jobIndex } from '../remote/job-index'
import { complaintOf } from '../remote/output-lines'
import type { ScriptSection, SectionOutput } from '../remote/script-sections'
import { CONDOR_STATUS_ATTRIBUTES, condorAdToJob, parseCondorJson, type CondorAd } from './condor-ads'

/**
 * What condor_q / jobsub_q print on stderr when part of the pool did not answer. jobsub_q exits 0
 * even then (protocols.md §1.13), so stderr is read, not only the exit code.
 */
const POOL_TROUBLE = /Failed to fetch ads|Can't find address|Couldn't contact|cannot connect|Unable to|timed out|^Error[: ]|Error: /im

export interface AdsSection {
  ads: CondorAd[]
  /** Why this answer cannot be taken as complete; null when it can. */
  problem: string | null
}

/** The ads of one `-json` section (condor_q, condor_history, jobsub_q), and whether to trust them as complete. */
export function readAdsSection(section: SectionOutput | undefined, what: string): AdsSection {
  if (!section) return { ads: [], problem: `${what} did not run (did the login setup end the script?)` }
  const complaint = complaintOf(section.stderr)
  let ads: CondorAd[]
  try {
    ads = parseCondorJson(section.stdout)
  } catch (err) {
    return { ads: [], problem: `${what} did not print readable JSON (${(err as Error).message})${complaint ? `: ${complaint}` : ''}` }
  }
  if (section.exitCode === null) return { ads, problem: `${what} did not finish${complaint ? `: ${complaint}` : ''}` }
  if (section.exitCode !== 0) return { ads, problem: `${what} failed (exit ${section.exitCode})${complaint ? `: ${complaint}` : ''}` }
  if (POOL_TROUBLE.test(section.stderr)) return { ads, problem: `${what}: ${complaint}` }
  return { ads, problem: null }
}

const jobKey = (ad: CondorAd) => `${String(ad.ClusterId)}.${String(ad.ProcId)}`

/** Queue and history ads together; a job in both left the queue between the two commands, and its history ad is final. */
export function mergeAds(queue: readonly CondorAd[], history: readonly CondorAd[]): CondorAd[] {
  const byJob = new Map<string, CondorAd>()
  for (const ad of queue) byJob.set(jobKey(ad), ad)
  for (const ad of history) byJob.set(jobKey(ad), ad)
  return [...byJob.values()]
}

/** A submission and the batch keys of its jobs (clusters, or `cluster@schedd` for jobsub), in batch-id order. */
export interface BatchOwner {
  id: string
  keys: readonly string[]
}

/**
 * Each submission's jobs among the ads: an ad belongs to the submission whose keys hold its key,
 * and its index is its ProcId numbered from that key's position (remote/job-index.ts).
 */
export function assignJobs(owners: readonly BatchOwner[], ads: readonly CondorAd[], adKey: (ad: CondorAd) => string | null): Map<string, JobUpdate[]> {
  const ownerOf = new Map<string, { id: string; position: number }>()
  for (const { id, keys } of owners) keys.forEach((key, position) => ownerOf.set(key, { id, position }))
  const jobs = new Map<string, JobUpdate[]>()
  for (const ad of ads) {
    const key = adKey(ad)
    const hit = key === null ? undefined : ownerOf.get(key)
    if (!hit || typeof ad.ProcId !== 'number') continue
    const list = jobs.get(hit.id) ?? []
    list.push(condorAdToJob(ad, jobIndex(hit.position, ad.ProcId)))
    jobs.set(hit.id, list)
  }
  for (const list of jobs.values()) list.sort((a, b) => a.index - b.index)
  return jobs
}

/** The jobs tagged with each submission id (POMS4_SUBMISSION_ID), and their batch keys in ascending order as the batch id. */
export function jobsByTag(submissionIds: readonly string[], ads: readonly CondorAd[], adKey: (ad: CondorAd) => string | null) {
  const found = new Map<string, { batchId: string; jobs: JobUpdate[] }>()
  for (const id of submissionIds) {
    const mine = ads.filter((ad) => ad.POMS4_SUBMISSION_ID === id)
    const keys = [...new Set(mine.map(adKey).filter((k): k is string => k !== null))].sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
    if (keys.length === 0) continue
    found.set(id, { batchId: keys.join(','), jobs: assignJobs([{ id, keys }], mine, adKey).get(id) ?? [] })
  }
  return found
}

const ATTRIBUTES = CONDOR_STATUS_ATTRIBUTES.join(',')

/**
 * condor_q then condor_history for the given clusters (history second: a job that leaves the queue
 * in between is still seen). `completedSince` (epoch s) lets condor_history stop reading its files
 * at jobs that ended before these submissions existed.
 */
export function condorStatusSections(suffix: string, clusters: readonly number[], completedSince: number | null): ScriptSection[] {
  const ids = clusters.map(String)
  return [
    { name: `queue-${suffix}`, command: remoteCommand(['condor_q', '-json', '-attributes', ATTRIBUTES, ...ids]) },
    {
      name: `history-${suffix}`,
      command: remoteCommand(['condor_history', '-json', '-attributes', ATTRIBUTES, ...(completedSince === null ? [] : ['-completedsince', String(completedSince)]), ...ids]),
    },
  ]
}

/** The same two commands for every job carrying one of these tags (reconciliation after a crash). */
export function condorTaggedSections(suffix: string, constraint: string, completedSince: number | null): ScriptSection[] {
  return [
    { name: `queue-${suffix}`, command: remoteCommand(['condor_q', '-json', '-attributes', ATTRIBUTES, '-constraint', constraint]) },
    {
      name: `history-${suffix}`,
      command: remoteCommand([
        'condor_history',
        '-json',
        '-attributes',
        ATTRIBUTES,
        ...(completedSince === null ? [] : ['-completedsince', String(completedSince)]),
        '-constraint',
        constraint,
      ]),
    },
  ]
}

/**
 * Where condor_history may stop reading (`-completedsince`, epoch s): jobs that ended before the
 * oldest of these submissions was created cannot be theirs; `slackMs` covers clock skew.
 */
export function historyStart(createdAt: readonly number[], nowMs: number, slackMs: number): number | null {
  if (createdAt.length === 0) return null
  return Math.max(0, Math.floor((Math.min(nowMs, ...createdAt) - slackMs) / 1000))
}
