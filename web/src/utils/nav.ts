// 返回: back where the user came from, or — on a page opened from a link, a bookmark or a
// notification, with nothing of ours behind it — to the page it belongs under (not a blank tab).
import type { Router } from 'vue-router'

export function backOr(router: Router, fallback: string): void {
  if (window.history.state?.back) router.back()
  else void router.push(fallback)
}
