import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SplitTypePicker from '../../renderer/src/components/workflow/SplitTypePicker.vue'

function mountPicker(modelValue: string | null) {
  const wrapper = mount(SplitTypePicker, {
    props: {
      modelValue,
      'onUpdate:modelValue': (value: string | null) => wrapper.setProps({ modelValue: value }),
    },
  })
  return wrapper
}

const emitted = (wrapper: ReturnType<typeof mountPicker>) => (wrapper.emitted('update:modelValue') ?? []).map(([value]) => value)

describe('SplitTypePicker', () => {
  it('builds nfiles(100) from the type and its one parameter, showing the type’s documentation', async () => {
    const wrapper = mountPicker(null)
    expect(wrapper.find<HTMLSelectElement>('[data-testid="split-type-select"]').element.value).toBe('none')
    await wrapper.find('[data-testid="split-type-select"]').setValue('nfiles')
    expect(wrapper.find('[data-testid="split-doc"]').text()).toContain('Consecutive slices of n files')
    const inputs = wrapper.findAll('[data-testid="split-param-input"]')
    expect(inputs.map((input) => input.attributes('data-param'))).toEqual(['n'])
    // The required parameter is still missing: the spec says so.
    expect(wrapper.find('[data-testid="split-error"]').text()).toContain('nfiles needs n')
    await inputs[0]!.setValue('100')
    expect(emitted(wrapper).at(-1)).toBe('nfiles(100)')
    expect(wrapper.find<HTMLInputElement>('[data-testid="split-spec-input"]').element.value).toBe('nfiles(100)')
    expect(wrapper.find('[data-testid="split-error"]').exists()).toBe(false)
  })

  it('shows the parse error with its column for an invalid parameter', async () => {
    const wrapper = mountPicker('nfiles(10)')
    await wrapper.find('[data-testid="split-param-input"]').setValue('ten')
    expect(emitted(wrapper).at(-1)).toBe('nfiles(ten)')
    const error = wrapper.find('[data-testid="split-error"]')
    expect(error.text()).toContain('n must be a positive whole number, not "ten"')
    expect(error.text()).toContain('Column 8')
    expect(wrapper.find('[data-testid="split-spec-input"]').attributes('aria-invalid')).toBe('true')
  })

  it('named parameters: typing a spec fills the fields, and editing a field rewrites the spec', async () => {
    const wrapper = mountPicker(null)
    await wrapper.find('[data-testid="split-spec-input"]').setValue('new(window=1d)')
    expect(wrapper.find<HTMLSelectElement>('[data-testid="split-type-select"]').element.value).toBe('new')
    const window = wrapper.find<HTMLInputElement>('[data-testid="split-param-input"][data-param="window"]')
    expect(window.element.value).toBe('1d')
    await wrapper.find('[data-testid="split-param-input"][data-param="round"]').setValue('1h')
    expect(emitted(wrapper).at(-1)).toBe('new(window=1d,round=1h)')
  })

  it('choosing none clears the spec to null, and an unknown type is an error, not a silent change', async () => {
    const wrapper = mountPicker('drainingn(20)')
    expect(wrapper.find<HTMLInputElement>('[data-testid="split-param-input"]').element.value).toBe('20')
    await wrapper.find('[data-testid="split-type-select"]').setValue('none')
    expect(emitted(wrapper).at(-1)).toBeNull()
    await wrapper.find('[data-testid="split-spec-input"]').setValue('chunks(5)')
    expect(emitted(wrapper).at(-1)).toBe('chunks(5)')
    expect(wrapper.find('[data-testid="split-error"]').text()).toContain('unknown split type "chunks"')
  })
})
