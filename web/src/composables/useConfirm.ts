// The one confirmation before a destructive or far-reaching action: a warning box with the
// action's own button and 取消. Resolves to true when confirmed, false on 取消 / Esc / ×.
import { ElMessageBox } from 'element-plus'

export interface ConfirmOptions {
  /** the box's title, e.g. 删除确认 */
  title: string
  message: string
  /** the confirming button, e.g. 删除 / 停用 / 保存 */
  confirmText: string
  /** a red confirming button (deletions); other confirmations keep the primary colour */
  danger?: boolean
}

export async function confirmDanger({ title, message, confirmText, danger = true }: ConfirmOptions): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirmText,
      cancelButtonText: '取消',
      confirmButtonClass: danger ? 'el-button--danger' : undefined,
    })
    return true
  } catch {
    return false
  }
}

/**
 * 删除确认 for one object: 「确定删除{what}？此操作不可撤销。」 and an optional note after it
 * (what else goes with it, what blocks it).
 */
export function confirmDelete(what: string, note?: string): Promise<boolean> {
  return confirmDanger({
    title: '删除确认',
    message: `确定删除${what}？此操作不可撤销。${note ?? ''}`,
    confirmText: '删除',
  })
}
