// Client-side checks that mirror the server's, so a clerk sees a mistake before sending.
// The server remains the judge: its problem+json field errors are shown as well.

const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** 统一社会信用代码 check (GB 32100-2015): 18 characters, the last one a check character. */
export function checkCreditCode(code: string): string | null {
  const c = code.trim().toUpperCase()
  if (c.length !== 18) return '统一社会信用代码应为18位'
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CHARS.indexOf(c[i]!)
    if (v < 0) return `第${i + 1}位字符「${c[i]}」不合法`
    sum += v * CREDIT_WEIGHTS[i]!
  }
  const expect = CREDIT_CHARS[(31 - (sum % 31)) % 31]
  if (c[17] !== expect) return '统一社会信用代码校验位不正确'
  return null
}

/** 至少8位，含字母和数字 */
export function checkPassword(pw: string): string | null {
  if (pw.length < 8) return '密码至少8位'
  if (!/[A-Za-z]/.test(pw) || !/\d/.test(pw)) return '密码须同时包含字母和数字'
  return null
}

export function checkPhone(phone: string): string | null {
  const p = phone.trim()
  if (!p) return null
  if (/^1[3-9]\d{9}$/.test(p)) return null
  if (/^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/.test(p)) return null
  return '请输入正确的手机号或固定电话'
}

type Validator = (rule: unknown, value: unknown, cb: (e?: Error) => void) => void

/** Wraps a `string → error|null` check as an el-form validator (empty passes; use `required` for that). */
export function asValidator(check: (v: string) => string | null): Validator {
  return (_rule, value, cb) => {
    const v = value === null || value === undefined ? '' : String(value)
    if (!v) return cb()
    const msg = check(v)
    if (msg) cb(new Error(msg))
    else cb()
  }
}
