// Routes, the action that opens each page (meta.action, checked against the server's
// `Me.permissions`) and the login / forced-password-change guard. The menu and the home page's
// shortcuts (menu.ts) are built from this table. Views are lazy-loaded so each page (notably the
// API reference) is its own chunk.
import { createRouter, createWebHistory, type RouteLocationRaw, type RouteRecordRaw } from 'vue-router'
import { ElMessage } from 'element-plus'
import type { Action } from '@/api/types'
import { auth, ownEnterpriseId } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** the action (`Me.permissions`) that opens the page; absent = every logged-in user */
    action?: Action
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
  // 隐患整改通知书 / 挂牌督办通知书: outside the main layout too, one A4 page
  {
    path: '/hazards/:id/notice',
    name: 'hazard-notice',
    component: () => import('@/views/hazard/HazardNoticeView.vue'),
    meta: { title: '通知书', action: 'issue_hazard_notice' },
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
        meta: { title: '组织机构', action: 'browse_org_tree' },
      },
      {
        path: 'enterprises',
        name: 'enterprises',
        component: () => import('@/views/enterprise/EnterpriseList.vue'),
        meta: { title: '企业管理', action: 'browse_enterprises' },
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
        meta: { title: '上报隐患', action: 'report_hazard' },
      },
      {
        path: 'hazards/stats',
        name: 'hazard-stats',
        component: () => import('@/views/hazard/HazardStats.vue'),
        meta: { title: '隐患统计', action: 'read_hazard_stats' },
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
        meta: { title: '挂牌督办', action: 'read_listings' },
      },
      {
        path: 'checklists',
        name: 'checklists',
        component: () => import('@/views/checklist/ChecklistList.vue'),
        meta: { title: '自查清单', action: 'run_checklist' },
      },
      {
        path: 'checklist-runs',
        name: 'checklist-runs',
        component: () => import('@/views/checklist/ChecklistRuns.vue'),
        meta: { title: '检查记录', action: 'read_enterprise' },
      },
      {
        path: 'checklists/:id/run',
        name: 'checklist-run',
        component: () => import('@/views/checklist/ChecklistRun.vue'),
        meta: { title: '隐患自查', action: 'run_checklist' },
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
        meta: { title: '风险一张图', action: 'browse_risk_map' },
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
        meta: { title: '风险统计', action: 'read_risk_stats' },
      },
      {
        path: 'risk/settings',
        name: 'risk-settings',
        component: () => import('@/views/risk/RiskSettings.vue'),
        meta: { title: '分级规则', action: 'set_risk_bands' },
      },
      {
        path: 'departments',
        name: 'departments',
        component: () => import('@/views/department/DepartmentsView.vue'),
        meta: { title: '部门管理', action: 'manage_departments' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/user/UsersView.vue'),
        meta: { title: '用户管理', action: 'manage_users' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/audit/AuditView.vue'),
        meta: { title: '操作日志', action: 'read_audit' },
      },
      {
        path: 'api-docs',
        name: 'api-docs',
        component: () => import('@/views/docs/ApiDocsView.vue'),
        meta: { title: '接口文档', action: 'read_api_docs' },
      },
      {
        path: 'messages',
        name: 'messages',
        component: () => import('@/views/notify/MessageCentre.vue'),
        meta: { title: '消息中心' },
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
  const id = ownEnterpriseId()
  return id === null ? null : `/enterprises/${id}`
}

/** The logged-in user may open the route: its `meta.action` is one of `Me.permissions`. */
export function mayOpen(to: RouteLocationRaw): boolean {
  const action = router.resolve(to).meta.action
  return !action || auth.can(action)
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
  if (to.meta.action && !auth.can(to.meta.action)) {
    if (to.name === 'enterprises') {
      const own = ownEnterprisePath()
      if (own) return own
    }
    // Say why instead of silently going home (a link from someone else, an old bookmark).
    ElMessage.warning(`您没有访问「${to.meta.title ?? '该页面'}」的权限，已返回工作台`)
    return { name: 'home' }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 安监` : '安监 · 安全生产综合监管平台'
})
