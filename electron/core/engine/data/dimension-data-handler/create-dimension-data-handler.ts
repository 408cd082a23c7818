import { randomUUID } from 'node:crypto'
import type { RecoveryType } from '../../../../../shared/domain/job-type'
import { datasetDims, dimsText } from '../../../../../shared/splits/dims'
import type { DataHandler, RecoveryDataset, SplitRequest, SubmissionFacts } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'
import { located } from './completion'
import { dependencyDataset } from './dependencies'
import { accounting, beginProject } from './projects'
import { recoveryDataset, type RecoveryOptions } from './recovery'
import { nextSplit, previewSplits, type PreviewSlice } from './splits'

export interface DimensionDataHandlerOptions {
  kind: 'local' | 'sam'
  /** The catalog of one experiment, or how to get each experiment's. */
  backend: DimensionBackend | ((experiment: string) => DimensionBackend)
  /** The unique part of POMS's uuid definition names; tests pass a predictable one. */
  newId?: () => string
  /** IANA zone for new(localtime=1) windows; null = this machine's. */
  timeZone?: string | null
  close?: () => Promise<void>
}

/** What this handler offers beyond DataHandler: preview slices with their queries and first files, and recovery previews. */
export interface DimensionDataHandler extends DataHandler {
  previewSplits(req: SplitRequest, count: number, options?: { filesPerSlice?: number }): Promise<{ slices: PreviewSlice[]; exhaustedAfter: number | null }>
  recoveryDataset(facts: SubmissionFacts, type: RecoveryType, recoveryPosition: number, parent: SubmissionFacts | null, options?: RecoveryOptions): Promise<RecoveryDataset>
}

/**
 * A DataHandler over any DimensionBackend (the local catalog, SAM): POMS's splits, projects,
 * completion, recovery and dependencies written once in its dimension language
 * (poms-reference.md §4–8). A dataset is a definition name (`defname:<name>`) unless it is
 * written as a dimension query.
 */
export function createDimensionDataHandler(options: DimensionDataHandlerOptions): DimensionDataHandler {
  const backendFor = typeof options.backend === 'function' ? options.backend : () => options.backend as DimensionBackend
  const newId = options.newId ?? randomUUID
  const splitDeps = { newId, timeZone: options.timeZone ?? null }
  return {
    kind: options.kind,
    nextSplit: (req) => nextSplit(backendFor(req.experiment), req, splitDeps),
    previewSplits: (req, count, preview) => previewSplits(backendFor(req.experiment), req, count, splitDeps, preview?.filesPerSlice ?? 0),
    countFiles: (experiment, dataset) => backendFor(experiment).countFiles(dimsText(datasetDims(dataset))),
    listFiles: (experiment, dataset, limit) => backendFor(experiment).listFiles(dimsText(datasetDims(dataset)), limit),
    beginProject: (facts) => beginProject(backendFor(facts.experiment), facts),
    accounting: (facts) => accounting(backendFor(facts.experiment), facts),
    located: (facts, pct) => located(backendFor(facts.experiment), facts, pct),
    recoveryDataset: (facts, type, position, parent, recovery) => recoveryDataset(backendFor(facts.experiment), newId, facts, type, position, parent, recovery),
    dependencyDataset: (parent, patterns, index, upstreamType) => dependencyDataset(backendFor(parent.experiment), parent, patterns, index, upstreamType),
    close: options.close ?? (async () => undefined),
  }
}
