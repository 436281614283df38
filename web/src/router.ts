// Routes, per-role access (meta.roles) and the login / forced-password-change guard.
// Views are lazy-loaded so each page (notably the API reference) is its own chunk.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api/types'
import { auth } from '@/stores/auth'
import { rolesFor } from '@/utils/permissions'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** roles that may open the page; absent = every logged-in user */
    roles?: Role[]
    /** reachable without a session */
    public?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { title: '登录', public: true },
  },
  // 风险告知卡: outside the main layout (no menu or top bar), so the page prints cleanly.
  {
    path: '/risk/points/:id/card',
    name: 'risk-card',
    component: () => import('@/views/risk/RiskCardView.vue'),
    meta: { title: '风险告知卡' },
  },
  {
    path: '/risk/cards',
    name: 'risk-cards',
    component: () => import('@/views/risk/RiskCardView.vue'),
    meta: { title: '风险告知卡' },
  },
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/home/HomeView.vue'), meta: { title: '工作台' } },
      {
        path: 'jurisdictions',
        name: 'jurisdictions',
        component: () => import('@/views/org/JurisdictionsView.vue'),
        meta: { title: '组织机构', roles: ['admin', 'committee', 'station', 'department', 'grid'] },
      },
      {
        path: 'enterprises',
        name: 'enterprises',
        component: () => import('@/views/enterprise/EnterpriseList.vue'),
        meta: { title: '企业管理', roles: ['admin', 'committee', 'department', 'station', 'grid', 'expert'] },
      },
      {
        path: 'enterprises/:id',
        name: 'enterprise',
        component: () => import('@/views/enterprise/EnterpriseDetail.vue'),
        meta: { title: '企业详情' },
      },
      {
        path: 'hazards',
        name: 'hazards',
        component: () => import('@/views/hazard/HazardList.vue'),
        meta: { title: '隐患台账' },
      },
      {
        path: 'hazards/report',
        name: 'hazard-report',
        component: () => import('@/views/hazard/HazardReport.vue'),
        meta: { title: '上报隐患', roles: rolesFor('reportHazard') },
      },
      {
        path: 'hazards/stats',
        name: 'hazard-stats',
        component: () => import('@/views/hazard/HazardStats.vue'),
        meta: { title: '隐患统计', roles: rolesFor('readHazardStats') },
      },
      {
        path: 'hazards/:id',
        name: 'hazard',
        component: () => import('@/views/hazard/HazardDetail.vue'),
        meta: { title: '隐患详情' },
      },
      {
        path: 'hazard-listings',
        name: 'hazard-listings',
        component: () => import('@/views/hazard/HazardListings.vue'),
        meta: { title: '挂牌督办', roles: rolesFor('readListings') },
      },
      {
        path: 'checklists',
        name: 'checklists',
        component: () => import('@/views/checklist/ChecklistList.vue'),
        meta: { title: '自查清单', roles: rolesFor('runChecklist') },
      },
      {
        path: 'checklists/:id/run',
        name: 'checklist-run',
        component: () => import('@/views/checklist/ChecklistRun.vue'),
        meta: { title: '隐患自查', roles: rolesFor('runChecklist') },
      },
      {
        path: 'risk/calculator',
        name: 'risk-calculator',
        component: () => import('@/views/risk/RiskCalculator.vue'),
        meta: { title: '风险计算器' },
      },
      {
        path: 'risk/points',
        name: 'risk-points',
        component: () => import('@/views/risk/RiskPointList.vue'),
        meta: { title: '风险清单' },
      },
      {
        path: 'risk/map',
        name: 'risk-map',
        component: () => import('@/views/risk/RiskMap.vue'),
        meta: { title: '风险一张图', roles: ['admin', 'committee', 'department', 'station', 'grid'] },
      },
      {
        path: 'risk/major-hazards',
        name: 'major-hazards',
        component: () => import('@/views/risk/MajorHazardList.vue'),
        meta: { title: '重大危险源' },
      },
      {
        path: 'risk/stats',
        name: 'risk-stats',
        component: () => import('@/views/risk/RiskStats.vue'),
        meta: { title: '风险统计', roles: rolesFor('readRiskStats') },
      },
      {
        path: 'risk/settings',
        name: 'risk-settings',
        component: () => import('@/views/risk/RiskSettings.vue'),
        meta: { title: '分级规则', roles: rolesFor('manageRiskRules') },
      },
      {
        path: 'departments',
        name: 'departments',
        component: () => import('@/views/department/DepartmentsView.vue'),
        meta: { title: '部门管理', roles: ['admin', 'committee'] },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/user/UsersView.vue'),
        meta: { title: '用户管理', roles: ['admin'] },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/audit/AuditView.vue'),
        meta: { title: '操作日志', roles: ['admin', 'committee'] },
      },
      {
        path: 'api-docs',
        name: 'api-docs',
        component: () => import('@/views/docs/ApiDocsView.vue'),
        meta: { title: '接口文档' },
      },
      {
        path: 'password',
        name: 'password',
        component: () => import('@/views/auth/PasswordView.vue'),
        meta: { title: '修改密码' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFound.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

/** The detail page of the enterprise an enterprise user belongs to. */
export function ownEnterprisePath(): string | null {
  const u = auth.state.user
  if (u?.role === 'enterprise' && u.org_id !== null && u.org_id !== undefined) return `/enterprises/${u.org_id}`
  return null
}

router.beforeEach(async (to) => {
  if (to.meta.public) {
    if (to.name === 'login') {
      const user = await auth.ensure()
      if (user && !user.must_change_password) {
        const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : '/'
        return redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/'
      }
    }
    return true
  }
  const user = await auth.ensure()
  if (!user) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (user.must_change_password && to.name !== 'password') return { name: 'password' }
  const roles = to.meta.roles
  if (roles && !roles.includes(user.role)) {
    if (to.name === 'enterprises') {
      const own = ownEnterprisePath()
      if (own) return own
    }
    return { name: 'home' }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 安监` : '安监 · 安全生产综合监管平台'
})
