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
  /** How the app authenticates over SSH: the user's ssh-agent, a key file on this machine, or a key kept in the secret store. */
  authMethod: z.enum(['agent', 'key-file', 'stored-key']),
  /** The private key file for `key-file` (`~` is the user's home). */
  keyFile: z.string().trim().max(4096),
}

export const SSH_AUTH_METHODS = ['agent', 'key-file', 'stored-key'] as const

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
    authMethod: LoginSetupFields.authMethod.default('agent'),
    keyFile: LoginSetupFields.keyFile.default(''),
  })
  .superRefine((value, ctx) => {
    if (value.backend !== 'local') {
      if (!value.host) ctx.addIssue({ code: 'custom', path: ['host'], message: `a ${value.backend} login setup needs a launch host` })
      if (!value.account) ctx.addIssue({ code: 'custom', path: ['account'], message: `a ${value.backend} login setup needs an account` })
      if (value.authMethod === 'key-file' && !value.keyFile) {
        ctx.addIssue({ code: 'custom', path: ['keyFile'], message: 'name the private key file, or choose the ssh-agent' })
      }
    }
  })
export type LoginSetupInput = z.input<typeof LoginSetupInput>

export const LoginSetup = z.object({
  ...StoredMeta,
  ...LoginSetupFields,
  /** The secret store entry holding this setup's key or passphrase; the value itself never leaves the core. */
  secretRef: z.string().nullable(),
})
export type LoginSetup = z.infer<typeof LoginSetup>
