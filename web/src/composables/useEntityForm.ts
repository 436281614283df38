// The cycle of a create / edit dialog, written once: when the dialog opens the form is filled from
// the object (edit) or from defaults (create) with a fresh Idempotency-Key; 保存 runs the el-form
// rules, then the page's own checks, then create-or-update; RFC 9457 `errors` (field → message)
// land under their form items (`:error="serverErrors.name"`), the rest in `formError`; a 409 on an
// edit is a conflict (刷新); on success a message, the dialog closes and `onSaved` runs.
import { computed, nextTick, reactive, ref, useTemplateRef, watch, type Ref } from 'vue'
import { ElMessage, type FormInstance } from 'element-plus'
import { ApiError, fieldErrorMap, newIdempotencyKey, withoutField } from '@/api/http'

export type FieldErrors = Record<string, string>

export interface SubmitContext<F, T> {
  form: F
  /** the object being edited; null when creating */
  editing: T | null
  /** the Idempotency-Key of this opening of the dialog (for create) */
  idempotencyKey: string
}

export interface EntityFormOptions<F extends object, T, S> {
  /** the dialog's v-model */
  open: Ref<boolean>
  /** the object to edit when the dialog opens; null: a new one */
  editing: () => T | null | undefined
  /** the form's values for a new object */
  blank: () => F
  /** the form's values for an existing object */
  from: (obj: T) => F
  /** POST or PATCH; null when nothing changed (「未作修改」, the dialog closes) */
  submit: (ctx: SubmitContext<F, T>) => Promise<S | null>
  /** the message after a save */
  success: string | ((saved: S, created: boolean) => string)
  onSaved?: (saved: S, created: boolean) => void
  /** checks beyond the el-form rules (or instead of them, for a form without `formRef`) */
  check?: (form: F) => FieldErrors
  /** field errors with a form item; the others are listed with `formError`. Default: every field is shown. */
  shown?: Iterable<string>
  /** a 409 whose detail names a unique field (e.g. the credit code): that field, to show it under it */
  conflictField?: (detail: string, editing: T | null) => string | null
  /** the text of a 409 on an edit (someone saved in between) */
  conflictMessage?: string
  /** the text when field errors stand under their items */
  fieldErrorMessage?: string
  /** after the form is filled (page state of its own: previews, helpers) */
  onOpen?: () => void
}

export function useEntityForm<F extends object, T, S>(opts: EntityFormOptions<F, T, S>) {
  // a form of plain values: the reactive proxy reads and writes like F
  const form = reactive(opts.blank()) as F
  /** the el-form of the dialog, `ref="formRef"` in its template */
  const formRef = useTemplateRef<FormInstance>('formRef')
  const saving = ref(false)
  const serverErrors = ref<FieldErrors>({})
  const formError = ref('')
  /** a 409 on an edit: offer 刷新 */
  const conflict = ref(false)
  const isEdit = computed(() => (opts.editing() ?? null) !== null)
  let idempotencyKey = ''

  const shown = opts.shown ? new Set(opts.shown) : null
  /** field errors without a form item, as 「field：message」 */
  const otherErrors = computed(() =>
    shown
      ? Object.entries(serverErrors.value)
          .filter(([f]) => !shown.has(f))
          .map(([f, m]) => `${f}：${m}`)
      : [],
  )

  function clearErrors() {
    serverErrors.value = {}
    formError.value = ''
    conflict.value = false
  }

  /** The input of `field` changed: its server error no longer applies. */
  function clearError(field: string) {
    serverErrors.value = withoutField(serverErrors.value, field)
  }

  watch(opts.open, (v) => {
    if (!v) return
    const obj = opts.editing() ?? null
    clearErrors()
    idempotencyKey = newIdempotencyKey()
    Object.assign(form, obj !== null ? opts.from(obj) : opts.blank())
    opts.onOpen?.()
    void nextTick(() => formRef.value?.clearValidate())
  })

  function close() {
    opts.open.value = false
  }

  function showError(e: unknown, editing: T | null) {
    serverErrors.value = fieldErrorMap(e)
    if (!(e instanceof ApiError)) return
    const hasFieldErrors = Object.keys(serverErrors.value).length > 0
    if (e.status === 409 && !hasFieldErrors) {
      const field = opts.conflictField?.(e.detail, editing)
      if (field) serverErrors.value = { [field]: e.detail }
      else if (editing !== null) {
        conflict.value = true
        formError.value = opts.conflictMessage ?? '数据已被他人修改，请刷新后重试'
      } else formError.value = e.detail
    } else if (!hasFieldErrors || otherErrors.value.length) {
      formError.value = e.detail
    } else if (opts.fieldErrorMessage) {
      formError.value = opts.fieldErrorMessage
    }
  }

  async function save(): Promise<void> {
    if (formRef.value && !(await formRef.value.validate().catch(() => false))) return
    clearErrors()
    const own = opts.check?.(form) ?? {}
    if (Object.keys(own).length) {
      serverErrors.value = own
      formError.value = '请先修改标红的内容'
      return
    }
    const editing = opts.editing() ?? null
    saving.value = true
    try {
      const saved = await opts.submit({ form, editing, idempotencyKey })
      if (saved === null) {
        ElMessage.info('未作修改')
        close()
        return
      }
      const created = editing === null
      ElMessage.success(typeof opts.success === 'string' ? opts.success : opts.success(saved, created))
      close()
      opts.onSaved?.(saved, created)
    } catch (e) {
      showError(e, editing)
    } finally {
      saving.value = false
    }
  }

  return { form, saving, serverErrors, formError, conflict, otherErrors, isEdit, save, close, clearError }
}
