import type { Migration } from '../migrate'
import { m0010Initial } from './0010-initial'
import { m0020CampaignRevisions } from './0020-campaign-revisions'
import { m0030SshAccess } from './0030-ssh-access'

/** Ordered, numbered by tens so a fix can slot in between. Never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [m0010Initial, m0020CampaignRevisions, m0030SshAccess]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0
