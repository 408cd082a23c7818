import type { EventName } from '../../../shared/api/channels'
import type { EventPayload } from '../../../shared/api/events'
import { useApi } from '../api'
import { debounce } from '../lib/debounce'
import { useSessionStore } from './session'

/** Long enough to fold a poll cycle's burst of events into one refetch, short enough to feel live. */
export const LIVE_REFETCH_DELAY_MS = 200

export type AnyEventPayload = EventPayload<EventName>

/** The entity ids an event names, whatever its shape. */
export function idsInEvent(payload: AnyEventPayload): readonly string[] {
  if ('ids' in payload) return payload.ids
  if ('submissionIds' in payload) return payload.submissionIds
  if ('submissionId' in payload) return [payload.submissionId]
  return []
}

/**
 * Events are coarse notices (style-anchors §4.4): on one that concerns the current experiment and
 * passes `isRelevant`, and after a transport reconnect, the store refetches rather than patching.
 * Stores listen for their lifetime; a component's panel calls the returned function when it goes.
 */
export function refetchOnChange(options: {
  events: readonly EventName[]
  isRelevant?: (payload: AnyEventPayload) => boolean
  refetch: () => unknown
}): () => void {
  const api = useApi()
  const session = useSessionStore()
  const refetchSoon = debounce(() => void options.refetch(), LIVE_REFETCH_DELAY_MS)
  const stops = options.events.map((event) =>
    api.on(event, (payload: AnyEventPayload) => {
      if ('experiment' in payload && payload.experiment !== session.experiment) return
      if (options.isRelevant && !options.isRelevant(payload)) return
      refetchSoon()
    }),
  )
  stops.push(api.onResync(refetchSoon))
  return () => {
    refetchSoon.cancel()
    for (const stop of stops) stop()
  }
}
