import { defineStore } from 'pinia'
import { computed } from 'vue'
import type { Task } from '../../../shared/domain/task'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { useLoader } from './loader'

/** Mirrors the core's task registry (Podman's TaskManager shape, style-anchors §4.4). */
export const useTasksStore = defineStore('tasks', () => {
  const api = useApi()
  const list = useLoader<Task[]>([])

  const fetchList = () => list.run(() => api.call('tasks:list', {}))

  async function cancel(id: string): Promise<void> {
    await api.call('tasks:cancel', { id })
    await fetchList()
  }

  const running = computed(() => list.data.value.filter((task) => task.state === 'running'))

  refetchOnChange({ events: ['tasks:updated'], refetch: fetchList })

  return { items: list.data, running, error: list.error, fetchList, cancel }
})
