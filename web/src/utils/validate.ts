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
export function checkPassword(pw: string, username = ''): string | null {
  if (pw.length < 8) return '密码至少8位'
  if (pw.length > 128) return '密码不能超过128位'
  if (!/[A-Za-z]/.test(pw) || !/\d/.test(pw)) return '密码须同时包含字母和数字'
  if (username && pw.toLowerCase() === username.toLowerCase()) return '密码不能与用户名相同'
  return null
}

/** 手机11位，或区号-号码 (as the server's validate_phone). */
export function checkPhone(phone: string): string | null {
  const p = phone.trim()
  if (!p) return null
  if (/^1\d{10}$/.test(p)) return null
  const digits = p.replace(/\D/g, '').length
  if (/^0[\d-]+$/.test(p) && digits >= 10 && digits <= 16) return null
  return '电话号码格式不正确（手机11位，或区号-号码）'
}

/** 用户名: 3–32 of lower-case letters, digits, `_`, `-`, `.`. */
export function checkUsername(name: string): string | null {
  return /^[a-z0-9_.-]{3,32}$/.test(name) ? null : '用户名应为3至32位小写字母、数字或 _ - .'
}

/** 区划代码: 市/区县 6-digit GB/T 2260 code; lower levels 6–15 digits. */
export function checkDivisionCode(code: string, level: string): string | null {
  const c = code.trim()
  if (!c) return null
  if (level === 'city' || level === 'district') {
    return /^[1-9]\d{5}$/.test(c) ? null : '行政区划代码应为6位数字（GB/T 2260）'
  }
  return /^\d{6,15}$/.test(c) ? null : '区划代码应为6至15位数字'
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
