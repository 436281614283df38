// The logged-in user. The session itself lives in the HttpOnly `anjian_session` cookie; this
// store only keeps the user object from /auth/login or /auth/me for the UI.
import { computed, reactive } from 'vue'
import { authApi } from '@/api'
import { invalidateRiskReference } from '@/composables/useRiskReference'
import { ApiError } from '@/api/http'
import type { Action, Me, Role } from '@/api/types'

interface AuthState {
  user: Me | null
  /** /auth/me has been asked once since the page loaded */
  checked: boolean
}

const state = reactive<AuthState>({ user: null, checked: false })

export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

let pending: Promise<Me | null> | null = null

export const auth = {
  state,
  user: computed(() => state.user),
  role: computed<Role | null>(() => state.user?.role ?? null),

  /** The role may take `action` (the server's permission table, `Me.permissions`). */
  can(action: Action): boolean {
    return !!state.user?.permissions?.includes(action)
  },

  /** The business time zone of the installation (`Me.timezone`). */
  timezone: computed(() => state.user?.timezone || DEFAULT_TIMEZONE),

  setUser(user: Me | null): void {
    state.user = user
    state.checked = true
  },

  /** Asks /auth/me once (concurrent callers share the request); null when not logged in. */
  async ensure(force = false): Promise<Me | null> {
    if (state.checked && !force) return state.user
    if (!pending) {
      pending = authApi
        .me()
        .then((u) => {
          state.user = u
          return state.user
        })
        .catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 401) state.user = null
          else if (!state.user) state.user = null
          return state.user
        })
        .finally(() => {
          state.checked = true
          pending = null
        })
    }
    return pending
  },

  async login(username: string, password: string): Promise<Me> {
    const res = await authApi.login(username, password)
    auth.setUser(res.user)
    return res.user
  },

  async logout(): Promise<void> {
    try {
      await authApi.logout()
    } catch {
      /* the session is gone either way */
    }
    invalidateRiskReference()
    auth.clear()
  },

  clear(): void {
    state.user = null
    state.checked = true
  },
}

/** Whether the logged-in user's role may take `action` (`Me.permissions`, from the server). */
export function can(action: Action): boolean {
  return auth.can(action)
}

/** The enterprise the logged-in user belongs to (an enterprise account), else null. */
export function ownEnterpriseId(): number | null {
  const u = state.user
  return u && u.org_kind === 'enterprise' && typeof u.org_id === 'number' ? u.org_id : null
}
