import { describe, expect, it } from 'vitest'
import { actingRolesFor, canDo, canModify, creatorRoleFor, ROLES, type Role } from '../../shared/domain/roles'

const PROD_ITEM = { creator: 'alice', creatorRole: 'production' }
const ALICE_ANALYSIS_ITEM = { creator: 'alice', creatorRole: 'analysis' }
const BOB_ANALYSIS_ITEM = { creator: 'bob', creatorRole: 'analysis' }

describe('actingRolesFor (check_experiment_role)', () => {
  it.each<[Role, Role[]]>([
    ['analysis', ['analysis']],
    ['production-shifter', ['analysis', 'production-shifter']],
    ['production', ['analysis', 'production-shifter', 'production']],
    ['superuser', ['analysis', 'production-shifter', 'production', 'superuser']],
  ])('a %s member may act as %j', (member, roles) => {
    expect(actingRolesFor(member, false)).toEqual(roles)
  })

  it('root may act in every role whatever the membership', () => {
    for (const member of ROLES) expect(actingRolesFor(member, true)).toEqual([...ROLES])
  })
})

describe('creatorRoleFor', () => {
  it('files everything but analysis under production', () => {
    expect(ROLES.map(creatorRoleFor)).toEqual(['analysis', 'production', 'production', 'production'])
  })
})

describe('canModify (can_modify)', () => {
  it.each<[string, Role, typeof PROD_ITEM, boolean]>([
    ['alice', 'superuser', BOB_ANALYSIS_ITEM, true],
    ['alice', 'superuser', PROD_ITEM, true],
    ['bob', 'production', PROD_ITEM, true],
    ['bob', 'production', ALICE_ANALYSIS_ITEM, false],
    ['alice', 'production-shifter', PROD_ITEM, false],
    ['alice', 'analysis', ALICE_ANALYSIS_ITEM, true],
    ['alice', 'analysis', BOB_ANALYSIS_ITEM, false],
    ['alice', 'analysis', PROD_ITEM, false],
  ])('%s as %s on %j → %s', (user, role, item, allowed) => {
    expect(canModify(user, role, item)).toBe(allowed)
  })
})

describe('canDo (can_do)', () => {
  it.each<[string, Role, typeof PROD_ITEM, boolean]>([
    ['bob', 'production', ALICE_ANALYSIS_ITEM, true],
    ['bob', 'production-shifter', PROD_ITEM, true],
    ['bob', 'production-shifter', ALICE_ANALYSIS_ITEM, true],
    ['alice', 'analysis', ALICE_ANALYSIS_ITEM, true],
    ['bob', 'analysis', ALICE_ANALYSIS_ITEM, false],
    ['alice', 'analysis', PROD_ITEM, false],
    ['carol', 'superuser', ALICE_ANALYSIS_ITEM, true],
  ])('%s as %s on %j → %s', (user, role, item, allowed) => {
    expect(canDo(user, role, item)).toBe(allowed)
  })

  it('never allows less than canModify', () => {
    for (const role of ROLES) {
      for (const item of [PROD_ITEM, ALICE_ANALYSIS_ITEM, BOB_ANALYSIS_ITEM]) {
        if (canModify('alice', role, item)) expect(canDo('alice', role, item), `${role} ${JSON.stringify(item)}`).toBe(true)
      }
    }
  })
})
