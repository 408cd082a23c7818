import type { Migration } from '../migrate'
import { m0010Initial } from './0010-initial'
import { m0020CampaignRevisions } from './0020-campaign-revisions'
import { m0030SshAccess } from './0030-ssh-access'
import { m0040LocalCatalog } from './0040-local-catalog'
import { m0050CampaignEngine } from './0050-campaign-engine'

/** Ordered, numbered by tens so a fix can slot in between. Never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [m0010Initial, m0020CampaignRevisions, m0030SshAccess, m0040LocalCatalog, m0050CampaignEngine]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0
