import { startDataDispatcherEmulator, type DataDispatcherEmulator } from '../data-dispatcher/server'
import { startRucioEmulator, type RucioEmulator } from '../rucio/server'
import { EmuClock, TokenAuthority } from './auth'
import { startMetacatEmulator, type MetacatEmulator } from './server'

/**
 * MetaCat, Data Dispatcher and Rucio emulators started together, as an experiment's "Shrek" setup:
 * MetaCat and Data Dispatcher share one auth service and one clock; Rucio has its own accounts.
 */
export interface Shrek {
  clock: EmuClock
  auth: TokenAuthority
  metacat: MetacatEmulator
  dd: DataDispatcherEmulator
  rucio: RucioEmulator
  /** The SciToken-like bearer token `auth?method=token` accepts for user `poms`. */
  bearer: string
  close(): Promise<void>
}

export async function startShrek(opts: { shuffleUnordered?: boolean } = {}): Promise<Shrek> {
  const clock = new EmuClock()
  const auth = new TokenAuthority(clock)
  const bearer = 'scitoken-for-poms'
  auth.addBearer(bearer, 'poms')
  const metacat = await startMetacatEmulator({ auth, ...(opts.shuffleUnordered === undefined ? {} : { shuffleUnordered: opts.shuffleUnordered }) })
  const dd = await startDataDispatcherEmulator({ auth })
  const rucio = await startRucioEmulator({ clock, accounts: { poms: 'rucio-secret' } })
  return {
    clock,
    auth,
    metacat,
    dd,
    rucio,
    bearer,
    close: async () => {
      await Promise.all([metacat.close(), dd.close(), rucio.close()])
    },
  }
}
