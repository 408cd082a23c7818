/**
 * Channel and event names of the one API contract. Kept free of zod so the sandboxed preload can
 * import them for its allowlist without bundling schemas (architecture.md §3).
 */
export const CHANNELS = [
  'session:get',
  'experiments:list',
  'experiments:configure',
  'loginSetups:list',
  'loginSetups:get',
  'loginSetups:create',
  'loginSetups:update',
  'loginSetups:delete',
  'loginSetups:test',
  'loginSetups:setSecret',
  'sshHosts:list',
  'sshHosts:trust',
  'sshHosts:forget',
  'jobTypes:list',
  'jobTypes:get',
  'jobTypes:create',
  'jobTypes:update',
  'jobTypes:delete',
  'campaigns:list',
  'campaigns:get',
  'campaigns:create',
  'campaigns:update',
  'campaigns:delete',
  'stages:list',
  'stages:get',
  'stages:create',
  'stages:update',
  'stages:delete',
  'stages:hold',
  'stages:resetSplit',
  'stages:setSplitCursor',
  'splits:preview',
  'campaigns:plan',
  'schedules:list',
  'schedules:set',
  'schedules:delete',
  'dependencies:list',
  'dependencies:create',
  'dependencies:delete',
  'campaigns:import',
  'campaigns:export',
  'campaigns:clone',
  'drafts:get',
  'drafts:save',
  'drafts:discard',
  'drafts:publish',
  'revisions:list',
  'revisions:get',
  'submissions:launch',
  'submissions:list',
  'submissions:get',
  'submissions:jobs',
  'submissions:launchOutput',
  'submissions:jobLog',
  'submissions:kill',
  'submissions:setStatus',
  'submissions:hold',
  'submissions:release',
  'submissions:abort',
  'submissions:files',
  'submissions:recoveryPreview',
  'submissions:recover',
  'submissions:approve',
  'submissions:reject',
  'wrapup:run',
  'heldLaunches:list',
  'heldLaunches:release',
  'heldLaunches:drop',
  'launches:getHold',
  'launches:setHold',
  'audit:list',
  'tasks:list',
  'tasks:cancel',
] as const

export type Channel = (typeof CHANNELS)[number]

export const EVENTS = [
  'experiments:changed',
  'loginSetups:changed',
  'jobTypes:changed',
  'campaigns:changed',
  'stages:changed',
  'dependencies:changed',
  'drafts:changed',
  'revisions:changed',
  'schedules:changed',
  'submissions:changed',
  'jobs:changed',
  'launchOutput:appended',
  'tasks:updated',
] as const

export type EventName = (typeof EVENTS)[number]

export const isChannel = (value: unknown): value is Channel =>
  typeof value === 'string' && (CHANNELS as readonly string[]).includes(value)

export const isEventName = (value: unknown): value is EventName =>
  typeof value === 'string' && (EVENTS as readonly string[]).includes(value)

/** The one Electron IPC channel on which main pushes core events to the renderer, as `(eventName, payload)`. */
export const ELECTRON_EVENT_CHANNEL = 'poms:event'
