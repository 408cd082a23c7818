import { z } from 'zod'

/** The records the clients read, as far as the data handler needs them (protocols.md §4.3, §5.2, §6.3). */

const Meta = z.record(z.string(), z.unknown())

/** metacat DBFile.to_jsonable; `fid` is a string. */
export const MetacatFile = z.object({
  fid: z.string(),
  namespace: z.string(),
  name: z.string(),
  created_timestamp: z.number().nullable(),
  size: z.number().nullable().optional(),
  retired: z.boolean().optional(),
  metadata: Meta.optional(),
  parents: z.array(z.object({ fid: z.string() })).optional(),
  children: z.array(z.object({ fid: z.string() })).optional(),
})
export type MetacatFile = z.infer<typeof MetacatFile>

export const QueryCount = z.object({ count: z.number().int().nonnegative(), total_size: z.number().nullable().optional() })

export const HandleState = z.enum(['initial', 'reserved', 'done', 'failed'])
export type HandleState = z.infer<typeof HandleState>

export const DDReplica = z.object({ rse: z.string(), available: z.boolean(), rse_available: z.boolean().optional(), url: z.string().nullable().optional() })

/** data_dispatcher DBFileHandle.as_jsonable. */
export const DDHandle = z.object({
  project_id: z.number().int(),
  namespace: z.string(),
  name: z.string(),
  state: HandleState,
  worker_id: z.string().nullable(),
  attempts: z.number().int(),
  attributes: Meta,
  reserved_since: z.number().nullable(),
  replicas: z.record(z.string(), DDReplica).optional(),
})
export type DDHandle = z.infer<typeof DDHandle>

export const ProjectState = z.enum(['active', 'done', 'failed', 'cancelled', 'held', 'abandoned'])

/** data_dispatcher DBProject.as_jsonable. */
export const DDProject = z.object({
  project_id: z.number().int(),
  owner: z.string(),
  state: ProjectState,
  attributes: Meta,
  created_timestamp: z.number(),
  ended_timestamp: z.number().nullable(),
  active: z.boolean(),
  query: z.string().nullable(),
  worker_timeout: z.number().nullable(),
  idle_timeout: z.number().nullable(),
  users: z.array(z.string()),
  file_handles: z.array(DDHandle).optional(),
})
export type DDProject = z.infer<typeof DDProject>

export const NextFile = z.object({
  handle: DDHandle.extend({ project_attributes: Meta.optional() }).nullable(),
  reason: z.string(),
  retry: z.boolean(),
})

/** One line of Rucio's list_replicas stream. */
export const RucioReplicaRecord = z.object({
  scope: z.string(),
  name: z.string(),
  bytes: z.number().nullable().optional(),
  rses: z.record(z.string(), z.array(z.string())),
  pfns: z.record(z.string(), z.object({ rse: z.string(), type: z.string() })).optional(),
  states: z.record(z.string(), z.string()).optional(),
})
export type RucioReplicaRecord = z.infer<typeof RucioReplicaRecord>

export const RucioError = z.object({ ExceptionClass: z.string(), ExceptionMessage: z.string() })
