import { CHANNELS, type Channel } from '../../shared/api/channels'
import { fail, type Result } from '../../shared/api/envelope'
import type { CallContext, CoreApi } from '../core/core-api'
import type { Logger } from '../core/ports'
import { isRendererUrl } from './app-files'

/** What an IPC handler learns about its caller; a subset of Electron's IpcMainInvokeEvent. */
export interface IpcCallerEvent {
  readonly senderFrame?: { readonly url: string } | null
}

/** `ipcMain`, or anything that registers invoke handlers the same way (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcCallerEvent, ...args: unknown[]) => Promise<unknown>): void
}

export type SenderCheck = (event: IpcCallerEvent) => boolean

/** Only our own renderer page may call the core; any other frame (an injected page, an iframe) may not. */
export const isTrustedSender: SenderCheck = (event) => {
  const url = event.senderFrame?.url
  return typeof url === 'string' && isRendererUrl(url)
}

/**
 * Binds every channel of the contract to the core. Each handler resolves to the contract's
 * `{ok, value} | {ok:false, error}` envelope and never throws: Electron would reduce a thrown error to
 * its message, and the renderer could no longer tell the codes apart.
 */
export function registerIpc(ipc: IpcMainLike, core: CoreApi, isTrusted: SenderCheck, logger?: Logger): void {
  for (const channel of CHANNELS) {
    ipc.handle(channel, (event, input) => handleCall(channel, event, input, core, isTrusted, logger))
  }
}

async function handleCall(
  channel: Channel,
  event: IpcCallerEvent,
  input: unknown,
  core: CoreApi,
  isTrusted: SenderCheck,
  logger: Logger | undefined,
): Promise<Result<unknown>> {
  try {
    if (!isTrusted(event)) {
      logger?.warn('refused an IPC call from an untrusted frame', { channel, url: event.senderFrame?.url })
      return fail({ code: 'FORBIDDEN', message: `${channel} may only be called by the POMS Desktop window` })
    }
    const ctx: CallContext = { username: core.localUsername, face: 'desktop' }
    return await core.dispatch(channel, input, ctx)
  } catch (err) {
    // dispatch promises never to throw; if it does anyway, the details stay in the main-side log.
    logger?.error('IPC call failed unexpectedly', { channel, error: err instanceof Error ? err.stack : String(err) })
    return fail({ code: 'INTERNAL', message: `${channel} failed with an internal error` })
  }
}
