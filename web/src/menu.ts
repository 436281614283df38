// The left menu (MainLayout) and the home page's shortcuts (HomeView), built from the route table
// (router.ts): an entry names a route, and shows when the user may open it (the route's
// `meta.action` is one of the server's `Me.permissions`). The order here is the menu's order.
import type { Component } from 'vue'
import {
  Bell,
  Camera,
  Checked,
  Collection,
  DataAnalysis,
  DataLine,
  Document,
  Download,
  Flag,
  House,
  List,
  Lock,
  MapLocation,
  Odometer,
  OfficeBuilding,
  PieChart,
  Reading,
  Setting,
  Share,
  Tickets,
  User as UserIcon,
  Warning,
  WarnTriangleFilled,
} from '@element-plus/icons-vue'
import type { Action } from '@/api/types'
import { enterpriseApi } from '@/api'
import { mayOpen, ownEnterprisePath, router } from '@/router'
import { auth } from '@/stores/auth'

/** A page of the route table, or the enterprise user's own page (`own`: the 本企业 entry). */
type Target = { route: string } | { own: true }

interface MenuDef {
  to: Target
  title: string
  icon: Component
}

interface MenuGroupDef {
  key: string
  title: string
  icon: Component
  children: MenuDef[]
}

export interface MenuItem {
  path: string
  title: string
  icon: Component
}

/** A sub-menu: shown when the user sees at least one of its entries. */
export interface MenuGroup {
  key: string
  title: string
  icon: Component
  children: MenuItem[]
}

export type MenuEntry = MenuItem | MenuGroup

export function isGroup(m: MenuEntry): m is MenuGroup {
  return 'children' in m
}

const MENU: (MenuDef | MenuGroupDef)[] = [
  { to: { route: 'home' }, title: '首页', icon: House },
  { to: { route: 'messages' }, title: '消息中心', icon: Bell },
  { to: { route: 'jurisdictions' }, title: '组织机构', icon: Share },
  { to: { route: 'enterprises' }, title: '企业管理', icon: OfficeBuilding },
  { to: { own: true }, title: '本企业', icon: OfficeBuilding },
  { to: { route: 'hazards' }, title: '隐患台账', icon: Warning },
  { to: { route: 'hazard-report' }, title: '上报隐患', icon: Camera },
  { to: { route: 'checklists' }, title: '自查清单', icon: Checked },
  { to: { route: 'checklist-runs' }, title: '检查记录', icon: Document },
  { to: { route: 'hazard-listings' }, title: '挂牌督办', icon: Flag },
  { to: { route: 'hazard-stats' }, title: '隐患统计', icon: DataAnalysis },
  {
    key: 'risk',
    title: '风险分级管控',
    icon: Odometer,
    children: [
      { to: { route: 'risk-points' }, title: '风险清单', icon: List },
      { to: { route: 'risk-map' }, title: '风险一张图', icon: MapLocation },
      { to: { route: 'major-hazards' }, title: '重大危险源', icon: WarnTriangleFilled },
      { to: { route: 'risk-stats' }, title: '风险统计', icon: PieChart },
      { to: { route: 'risk-calculator' }, title: '风险计算器', icon: DataLine },
      { to: { route: 'risk-settings' }, title: '分级规则', icon: Setting },
    ],
  },
  { to: { route: 'departments' }, title: '部门管理', icon: Collection },
  { to: { route: 'users' }, title: '用户管理', icon: UserIcon },
  { to: { route: 'audit' }, title: '操作日志', icon: Tickets },
  { to: { route: 'api-docs' }, title: '接口文档', icon: Reading },
]

/** The path of the target when the user may open it, else null. */
function pathOf(t: Target): string | null {
  if ('own' in t) return ownEnterprisePath()
  return mayOpen({ name: t.route }) ? router.resolve({ name: t.route }).path : null
}

/** The menu entries the logged-in user may open (read inside a computed to follow the login). */
export function menuEntries(): MenuEntry[] {
  const item = (m: MenuDef): MenuItem[] => {
    const path = pathOf(m.to)
    return path === null ? [] : [{ path, title: m.title, icon: m.icon }]
  }
  return MENU.flatMap((m): MenuEntry[] => {
    if (!('children' in m)) return item(m)
    const children = m.children.flatMap(item)
    return children.length ? [{ key: m.key, title: m.title, icon: m.icon, children }] : []
  })
}

interface ShortcutDef {
  title: string
  desc: string
  icon: Component
  /** a page, or a download offered when the user may take `action` */
  to: Target | { href: string; action: Action }
}

export interface Shortcut {
  title: string
  desc: string
  icon: Component
  to?: string
  href?: string
}

const SHORTCUTS: ShortcutDef[] = [
  { title: '企业管理', desc: '企业台账查询、新增、导入导出', to: { route: 'enterprises' }, icon: OfficeBuilding },
  { title: '本企业信息', desc: '查看和维护本企业基础信息', to: { own: true }, icon: OfficeBuilding },
  { title: '组织机构', desc: '行政区划与网格', to: { route: 'jurisdictions' }, icon: Share },
  { title: '部门管理', desc: '行业监管部门与监管行业', to: { route: 'departments' }, icon: Collection },
  { title: '用户管理', desc: '账号、角色与所属单位', to: { route: 'users' }, icon: UserIcon },
  { title: '操作日志', desc: '防篡改的操作记录与校验', to: { route: 'audit' }, icon: Tickets },
  {
    title: '下载导入模板',
    desc: '企业台账 Excel 导入模板',
    to: { href: enterpriseApi.templateUrl, action: 'import_enterprises' },
    icon: Download,
  },
  { title: '接口文档', desc: 'OpenAPI 接口说明', to: { route: 'api-docs' }, icon: Reading },
  { title: '修改密码', desc: '定期修改密码保障账号安全', to: { route: 'password' }, icon: Lock },
]

/** The home page's 快捷入口 the logged-in user may use. */
export function shortcuts(): Shortcut[] {
  return SHORTCUTS.flatMap((s): Shortcut[] => {
    const base = { title: s.title, desc: s.desc, icon: s.icon }
    if ('href' in s.to) return auth.can(s.to.action) ? [{ ...base, href: s.to.href }] : []
    const path = pathOf(s.to)
    return path === null ? [] : [{ ...base, to: path }]
  })
}
