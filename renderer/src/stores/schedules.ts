import { defineStore } from 'pinia'
import { computed } from 'vue'
import type { Schedule } from '../../../shared/api/contract'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { useLoader } from './loader'
import { useSessionStore } from './session'

export interface ScheduleRequest {
  cron: string
  timezone: string
  clearWhenExhausted: boolean
}

/**
 * Per-stage cron schedules of the current experiment (poms-reference.md §3.9): one list, read
 * whole, that the Schedules view, the stage rows and each stage's schedule editor show.
 */
export const useSchedulesStore = defineStore('schedules', () => {
  const api = useApi()
  const session = useSessionStore()
  const list = useLoader<Schedule[]>([])
  let shown = false

  async function fetchList(): Promise<void> {
    shown = true
    await list.run(() => api.call('schedules:list', { ...session.requireScope() }))
  }

  const byStage = computed(() => new Map(list.data.value.map((schedule) => [schedule.stageId, schedule])))

  /** Creates or replaces the stage's schedule; launches run as the person who saves it. */
  async function save(stageId: string, request: ScheduleRequest): Promise<Schedule> {
    const saved = await api.call('schedules:set', { ...session.requireScope(), stageId, ...request })
    list.data.value = [...list.data.value.filter((schedule) => schedule.stageId !== stageId), saved]
    return saved
  }

  async function remove(stageId: string): Promise<boolean> {
    const { deleted } = await api.call('schedules:delete', { ...session.requireScope(), stageId })
    list.data.value = list.data.value.filter((schedule) => schedule.stageId !== stageId)
    return deleted
  }

  // A launch moves a schedule's last run and outcome; an exhausted split may clear it.
  refetchOnChange({ events: ['schedules:changed'], refetch: () => shown && fetchList() })

  return { items: list.data, loading: list.loading, error: list.error, byStage, fetchList, save, remove }
})
