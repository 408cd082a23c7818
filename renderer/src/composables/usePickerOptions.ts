import { computed } from 'vue'
import type { PickerOption } from '../components/forms/picker-option'
import { useJobTypesStore } from '../stores/job-types'
import { useLoginSetupsStore } from '../stores/login-setups'
import { useScopedLoad } from './useScopedLoad'

/** Job types and login setups to pick from, and the names of both by id. */
export function usePickerOptions() {
  const jobTypes = useJobTypesStore()
  const loginSetups = useLoginSetupsStore()
  useScopedLoad(() => Promise.all([jobTypes.fetchList(), loginSetups.fetchList()]))

  const toOption = ({ id, name, active }: PickerOption): PickerOption => ({ id, name, active })
  const jobTypeOptions = computed(() => jobTypes.items.map(toOption))
  const loginSetupOptions = computed(() => loginSetups.items.map(toOption))
  const names = computed(() => new Map([...jobTypeOptions.value, ...loginSetupOptions.value].map((option) => [option.id, option.name])))

  return { jobTypeOptions, loginSetupOptions, names }
}
