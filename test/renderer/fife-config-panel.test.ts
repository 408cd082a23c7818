import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import FifeConfigPanel from '../../renderer/src/components/job-types/FifeConfigPanel.vue'

const CFG = [
  '[global]',
  'group = dune',
  'release = v1 # the release',
  '',
  '[submit]',
  'G = %(group)s',
  'N = 10',
  'expected-lifetime = %(lifetime)s',
  '',
  '[executable]',
  'name = lar',
  'arg_1 = -c',
  'arg_2 = reco.fcl',
  '',
].join('\n')

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('FifeConfigPanel', () => {
  it('shows a pasted fife_launch config as fife_launch reads it, with its traps by line and column', async () => {
    const wrapper = mount(FifeConfigPanel)
    await wrapper.find('[data-testid="fife-config-input"]').setValue(CFG)
    expect(wrapper.find('[data-testid="fife-analysis"]').exists()).toBe(false)
    await vi.advanceTimersByTimeAsync(300)
    await flushPromises()

    const traps = wrapper.findAll('[data-testid="fife-trap"]')
    const inline = traps.find((trap) => trap.attributes('data-code') === 'INLINE_COMMENT')!
    expect(inline.attributes('data-severity')).toBe('warning')
    expect(inline.text()).toContain('line 3:14')
    expect(inline.text()).toContain('[global] release')
    expect(traps.some((trap) => trap.attributes('data-code') === 'UNRESOLVED_VARIABLE' && trap.text().includes('lifetime'))).toBe(true)
    expect(wrapper.find('[data-testid="fife-submit-options"]').text()).toContain('-G %(group)s')
    expect(wrapper.text()).toContain('lar -c reco.fcl')
  })

  it('says so when a config has no traps', async () => {
    const wrapper = mount(FifeConfigPanel)
    await wrapper.find('[data-testid="fife-config-input"]').setValue('[global]\ngroup = dune\n\n[submit]\nG = %(group)s\n')
    await vi.advanceTimersByTimeAsync(300)
    expect(wrapper.findAll('[data-testid="fife-trap"]')).toHaveLength(0)
    expect(wrapper.find('[data-testid="fife-analysis"]').text()).toContain('no traps found')
  })
})
