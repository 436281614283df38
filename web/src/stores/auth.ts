// The logged-in user. The session itself lives in the HttpOnly `anjian_session` cookie; this
// store only keeps the user object from /auth/login or /auth/me for the UI.
import { computed, reactive } from 'vue'
import { authApi } from '@/api'
import { invalidateRiskReference } from '@/composables/useRiskReference'
import { ApiError } from '@/api/http'
import type { Role, User } from '@/api/types'

interface AuthState {
  user: User | null
  /** /auth/me has been asked once since the page loaded */
  checked: boolean
}

const state = reactive<AuthState>({ user: null, checked: false })

let pending: Promise<User | null> | null = null

function unwrap(u: User | { user: User }): User {
  return 'user' in u && u.user && typeof u.user === 'object' ? u.user : (u as User)
}

export const auth = {
  state,
  user: computed(() => state.user),
  role: computed<Role | null>(() => state.user?.role ?? null),

  hasRole(...roles: Role[]): boolean {
    return !!state.user && roles.includes(state.user.role)
  },

  setUser(user: User | null): void {
    state.user = user
    state.checked = true
  },

  /** Asks /auth/me once (concurrent callers share the request); null when not logged in. */
  async ensure(force = false): Promise<User | null> {
    if (state.checked && !force) return state.user
    if (!pending) {
      pending = authApi
        .me()
        .then((u) => {
          state.user = unwrap(u)
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

  async login(username: string, password: string): Promise<User> {
    const res = await authApi.login(username, password)
    const user = unwrap(res.user ?? (res as unknown as User))
    auth.setUser(user)
    return user
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
