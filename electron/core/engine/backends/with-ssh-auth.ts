import type { SshAccess } from '../../ssh/ssh-access'
import type { Backend, TrackedSubmission } from './backend'

/**
 * Before a remote backend talks to a host, the SSH layer learns which login setup's credentials
 * open it (from the submission's frozen snapshot) — one place, for every backend call.
 */
export function withSshAuth(backend: Backend, access: SshAccess): Backend {
  const remember = (subs: readonly TrackedSubmission[]) => {
    for (const s of subs) if (s.target && s.auth) access.remember(s.target.endpoint, s.auth)
  }
  return {
    kind: backend.kind,
    submit: (plan, io) => (remember([plan]), backend.submit(plan, io)),
    query: (subs) => (remember(subs), backend.query(subs)),
    control: (sub, action) => (remember([sub]), backend.control(sub, action)),
    fetchLog: (sub, index) => (remember([sub]), backend.fetchLog(sub, index)),
    findTagged: (subs) => (remember(subs), backend.findTagged(subs)),
    ...(backend.launchScript ? { launchScript: (plan: Parameters<NonNullable<Backend['launchScript']>>[0]) => backend.launchScript!(plan) } : {}),
    close: () => backend.close(),
  }
}
