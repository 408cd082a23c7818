import { z } from 'zod'
import { Name, StoredMeta } from './common'

/** Where and as whom a stage launches. The backend decides how (architecture.md §6). */
export const BACKENDS = ['local', 'htcondor', 'jobsub_lite', 'slurm'] as const
export const BackendKind = z.enum(BACKENDS)
export type BackendKind = z.infer<typeof BackendKind>

const LoginSetupFields = {
  name: Name,
  backend: BackendKind,
  /** Launch host; may contain `%(experiment)s`. Empty for `local`. */
  host: z.string().trim().max(255),
  port: z.number().int().min(1).max(65535),
  /** Account on the launch host; may contain `%(...)s`. Empty for `local`. */
  account: z.string().trim().max(128),
  /** Shell text the campaign author runs on the launch host before the launch script. */
  setup: z.string().max(100_000),
  /** IANA time zone of the host, used to read times that remote tools print without a zone. */
  hostTimezone: z.string().trim().min(1).max(64),
  active: z.boolean(),
}

export const LoginSetupInput = z
  .object({
    name: LoginSetupFields.name,
    backend: LoginSetupFields.backend.default('local'),
    host: LoginSetupFields.host.default(''),
    port: LoginSetupFields.port.default(22),
    account: LoginSetupFields.account.default(''),
    setup: LoginSetupFields.setup.default(''),
    hostTimezone: LoginSetupFields.hostTimezone.default('UTC'),
    active: LoginSetupFields.active.default(true),
  })
  .superRefine((value, ctx) => {
    if (value.backend !== 'local') {
      if (!value.host) ctx.addIssue({ code: 'custom', path: ['host'], message: `a ${value.backend} login setup needs a launch host` })
      if (!value.account) ctx.addIssue({ code: 'custom', path: ['account'], message: `a ${value.backend} login setup needs an account` })
    }
  })
export type LoginSetupInput = z.input<typeof LoginSetupInput>

export const LoginSetup = z.object({ ...StoredMeta, ...LoginSetupFields })
export type LoginSetup = z.infer<typeof LoginSetup>
