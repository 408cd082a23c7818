export { startSamEmulator, type RecordedRequest, type SamEmulator, type SamEmulatorOptions } from './server'
export type { FileSpec } from './catalog'
export type { CannedResponse, FaultAction, FaultMatch } from './faults'
export type { SamJobOptions, SamJobOutput, SamJobResult } from './job'
