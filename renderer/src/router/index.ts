import { createRouter, createWebHashHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router'

/** A query value as one string (`?from=2`), or null when absent or repeated. */
const queryText = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** Route-level views load lazily: each becomes its own chunk. */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/campaigns' },
  { path: '/campaigns', name: 'campaigns', component: () => import('../views/CampaignsView.vue') },
  { path: '/campaigns/new', name: 'campaign-new', component: () => import('../views/CampaignEditView.vue') },
  { path: '/campaigns/:id', name: 'campaign', component: () => import('../views/CampaignView.vue'), props: true },
  { path: '/campaigns/:id/edit', name: 'campaign-edit', component: () => import('../views/CampaignEditView.vue'), props: true },
  { path: '/campaigns/:id/workflow', name: 'campaign-workflow', component: () => import('../views/WorkflowEditorView.vue'), props: true },
  { path: '/campaigns/:id/revisions', name: 'campaign-revisions', component: () => import('../views/RevisionsView.vue'), props: true },
  {
    path: '/campaigns/:id/diff',
    name: 'campaign-diff',
    component: () => import('../views/DiffView.vue'),
    props: (route) => ({ id: route.params.id, from: queryText(route.query.from), to: queryText(route.query.to) }),
  },
  { path: '/import', name: 'import', component: () => import('../views/ImportView.vue') },
  {
    path: '/campaigns/:campaignId/stages/new',
    name: 'stage-new',
    component: () => import('../views/StageEditView.vue'),
    props: true,
  },
  {
    path: '/campaigns/:campaignId/stages/:id/edit',
    name: 'stage-edit',
    component: () => import('../views/StageEditView.vue'),
    props: true,
  },
  { path: '/submissions', name: 'submissions', component: () => import('../views/SubmissionsView.vue') },
  { path: '/submissions/:id', name: 'submission', component: () => import('../views/SubmissionView.vue'), props: true },
  { path: '/login-setups', name: 'login-setups', component: () => import('../views/LoginSetupsView.vue') },
  { path: '/login-setups/new', name: 'login-setup-new', component: () => import('../views/LoginSetupEditView.vue') },
  { path: '/login-setups/:id/edit', name: 'login-setup-edit', component: () => import('../views/LoginSetupEditView.vue'), props: true },
  { path: '/known-hosts', name: 'known-hosts', component: () => import('../views/KnownHostsView.vue') },
  { path: '/schedules', name: 'schedules', component: () => import('../views/SchedulesView.vue') },
  { path: '/queued-launches', name: 'queued-launches', component: () => import('../views/QueuedLaunchesView.vue') },
  { path: '/job-types', name: 'job-types', component: () => import('../views/JobTypesView.vue') },
  { path: '/job-types/new', name: 'job-type-new', component: () => import('../views/JobTypeEditView.vue') },
  { path: '/job-types/:id/edit', name: 'job-type-edit', component: () => import('../views/JobTypeEditView.vue'), props: true },
  { path: '/audit', name: 'audit', component: () => import('../views/AuditView.vue') },
  { path: '/:unknown(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue') },
]

/** Hash history: the build is loaded from file:// in Electron and from any path by the server. */
export function createAppRouter(history: RouterHistory = createWebHashHistory()) {
  return createRouter({ history, routes })
}
