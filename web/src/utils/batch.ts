/** Wraps `fn` so that several calls in the same tick run it once (after the current task). */
export function batched(fn: () => void): () => void {
  let pending = false
  return () => {
    if (pending) return
    pending = true
    queueMicrotask(() => {
      pending = false
      fn()
    })
  }
}
