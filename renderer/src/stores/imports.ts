import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ImportResult } from '../../../shared/campaign-file/import-report'
import type { WireError } from '../../../shared/errors'
import { useApi } from '../api'
import { toAppError } from '../lib/errors'
import { useSessionStore } from './session'

/** A campaign file as read from the person's disk. */
export interface PickedFile {
  name: string
  text: string
}

/**
 * Importing campaign files: every file is first checked with a dry run, and the report shown; only
 * the files the dry run accepted are then imported for real (each all-or-nothing on the server).
 */
export const useImportsStore = defineStore('imports', () => {
  const api = useApi()
  const session = useSessionStore()
  const files = ref<PickedFile[]>([])
  const checked = ref<ImportResult[]>([])
  const imported = ref<ImportResult[]>([])
  const checking = ref(false)
  const importing = ref(false)
  const error = shallowRef<WireError | null>(null)

  const acceptedFiles = computed(() => {
    const accepted = new Set(checked.value.filter((result) => result.accepted).map((result) => result.file))
    return files.value.filter((file) => accepted.has(file.name))
  })

  /** Adds files (a later file with the same name replaces the earlier one) and dry-runs them all. */
  async function check(added: readonly PickedFile[]): Promise<void> {
    const byName = new Map(files.value.map((file) => [file.name, file]))
    for (const file of added) byName.set(file.name, file)
    files.value = [...byName.values()]
    imported.value = []
    await dryRun()
  }

  async function dryRun(): Promise<void> {
    if (files.value.length === 0) {
      checked.value = []
      return
    }
    checking.value = true
    error.value = null
    try {
      const { results } = await api.call('campaigns:import', { ...session.requireScope(), files: files.value, dryRun: true })
      checked.value = results
    } catch (thrown) {
      checked.value = []
      error.value = toAppError(thrown).toWire()
    } finally {
      checking.value = false
    }
  }

  /** Imports, for real, exactly the files the dry run accepted. */
  async function confirm(): Promise<void> {
    const chosen = acceptedFiles.value
    if (chosen.length === 0) return
    importing.value = true
    error.value = null
    try {
      const { results } = await api.call('campaigns:import', { ...session.requireScope(), files: chosen, dryRun: false })
      imported.value = results
    } catch (thrown) {
      error.value = toAppError(thrown).toWire()
    } finally {
      importing.value = false
    }
  }

  function remove(name: string): void {
    files.value = files.value.filter((file) => file.name !== name)
    checked.value = checked.value.filter((result) => result.file !== name)
  }

  function clear(): void {
    files.value = []
    checked.value = []
    imported.value = []
    error.value = null
  }

  return { files, checked, imported, checking, importing, error, acceptedFiles, check, confirm, remove, clear }
})
