import { z } from 'zod'
import { EpochMs, ExperimentCode, Id, Name, Username } from './common'
import { Role } from './roles'

export const DATA_HANDLERS = ['local', 'sam', 'metacat'] as const
export const DataHandlerKind = z.enum(DATA_HANDLERS)
export type DataHandlerKind = z.infer<typeof DataHandlerKind>

export const Experiment = z.object({
  id: Id,
  name: ExperimentCode,
  displayName: Name,
  dataHandler: DataHandlerKind,
  active: z.boolean(),
  rev: z.number().int().positive(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
})
export type Experiment = z.infer<typeof Experiment>

export const User = z.object({
  id: Id,
  username: Username,
  displayName: z.string(),
  root: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
})
export type User = z.infer<typeof User>

export const Membership = z.object({
  experiment: ExperimentCode,
  username: Username,
  role: Role,
})
export type Membership = z.infer<typeof Membership>
