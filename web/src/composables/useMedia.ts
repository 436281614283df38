import { onBeforeUnmount, ref, type Ref } from 'vue'

const PHONE_QUERY = '(max-width: 767px)'

/** True while the viewport is phone-sized; updates on resize. */
export function useIsMobile(): Ref<boolean> {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(PHONE_QUERY) : null
  const isMobile = ref(mq ? mq.matches : false)
  if (mq) {
    const onChange = (e: MediaQueryListEvent) => (isMobile.value = e.matches)
    mq.addEventListener('change', onChange)
    onBeforeUnmount(() => mq.removeEventListener('change', onChange))
  }
  return isMobile
}
