/** What an EntityPicker offers: login setups and job types both fit. */
export interface PickerOption {
  id: string
  name: string
  active: boolean
}
