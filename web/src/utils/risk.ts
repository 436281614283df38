// Reference tables of the risk calculators, for the selects, legends and hints of the 风险计算器
// page. The server computes (POST /risk/assess, /risk/major-hazard/assess); these mirror
// crates/domain/data/risk_methods.json and gb18218_2018.json so the clerk can see what each
// value means.
import type { RiskColor, RiskLevel } from '@/api/types'

export interface ScoreOption {
  value: number
  desc: string
}

/** LEC L: 事故发生的可能性 */
export const LEC_L: ScoreOption[] = [
  { value: 10, desc: '完全可以预料' },
  { value: 6, desc: '相当可能' },
  { value: 3, desc: '可能，但不经常' },
  { value: 1, desc: '可能性小，完全意外' },
  { value: 0.5, desc: '很不可能，可以设想' },
  { value: 0.2, desc: '极不可能' },
  { value: 0.1, desc: '实际不可能' },
]

/** LEC E: 人员暴露于危险环境的频繁程度 */
export const LEC_E: ScoreOption[] = [
  { value: 10, desc: '连续暴露' },
  { value: 6, desc: '每天工作时间内暴露' },
  { value: 3, desc: '每周一次或偶然暴露' },
  { value: 2, desc: '每月一次暴露' },
  { value: 1, desc: '每年几次暴露' },
  { value: 0.5, desc: '非常罕见地暴露' },
]

/** LEC C: 一旦发生事故可能造成的后果 */
export const LEC_C: ScoreOption[] = [
  { value: 100, desc: '大灾难，许多人死亡' },
  { value: 40, desc: '灾难，数人死亡' },
  { value: 15, desc: '非常严重，一人死亡' },
  { value: 7, desc: '严重，重伤' },
  { value: 3, desc: '重大，致残' },
  { value: 1, desc: '引人注目，需要救护' },
]

/** LS L (可能性) 1–5, with the 偏差发生率 of the reference example. */
export const LS_L: ScoreOption[] = [
  { value: 5, desc: '每次作业或每月发生' },
  { value: 4, desc: '每季度都有发生' },
  { value: 3, desc: '每年发生' },
  { value: 2, desc: '每年发生或曾经发生' },
  { value: 1, desc: '从未发生' },
]

/** LS S (严重性) 1–5, with the 人员 column of the reference example. */
export const LS_S: ScoreOption[] = [
  { value: 5, desc: '3人及以上死亡、7人及以上重伤' },
  { value: 4, desc: '1至2人死亡、3至6人重伤或严重职业病' },
  { value: 3, desc: '1至2人重伤或3至6人轻伤' },
  { value: 2, desc: '1至2人轻伤' },
  { value: 1, desc: '通常无伤害' },
]

export interface Band {
  level: RiskLevel
  color: RiskColor
  /** lower bound (inclusive); the lowest band has none */
  min: number | null
  range: string
}

/** D ≥ 320 重大, 160 ≤ D < 320 较大, 70 ≤ D < 160 一般, D < 70 低 (the bound belongs to the upper band). */
export const LEC_BANDS: Band[] = [
  { level: '重大', color: 'red', min: 320, range: 'D ≥ 320' },
  { level: '较大', color: 'orange', min: 160, range: '160 ≤ D < 320' },
  { level: '一般', color: 'yellow', min: 70, range: '70 ≤ D < 160' },
  { level: '低', color: 'blue', min: null, range: 'D < 70' },
]

/** R ≥ 17 重大, 11–16 较大, 5–10 一般, 1–4 低. */
export const LS_BANDS: Band[] = [
  { level: '重大', color: 'red', min: 17, range: 'R ≥ 17（17–25）' },
  { level: '较大', color: 'orange', min: 11, range: '11 ≤ R ≤ 16' },
  { level: '一般', color: 'yellow', min: 5, range: '5 ≤ R ≤ 10' },
  { level: '低', color: 'blue', min: null, range: '1 ≤ R ≤ 4' },
]

/** The band a score falls in (for the matrix cells; the server decides the result). */
export function bandOf(bands: Band[], score: number): Band {
  return bands.find((b) => b.min !== null && score >= b.min) ?? bands[bands.length - 1]!
}

/** 四色: background and text colour of each level. */
export const RISK_COLORS: Record<RiskColor, { bg: string; fg: string; name: string }> = {
  red: { bg: '#d9363e', fg: '#fff', name: '红' },
  orange: { bg: '#f07c1b', fg: '#fff', name: '橙' },
  yellow: { bg: '#f5c518', fg: '#4a3b00', name: '黄' },
  blue: { bg: '#2f6fd6', fg: '#fff', name: '蓝' },
}

export function levelLabel(level: string): string {
  return level.endsWith('风险') ? level : `${level}风险`
}

/** A number without float noise: 0.30000000000000004 → 0.3, 2.333333333 → 2.33333. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x === 0) return '0'
  return String(Number.parseFloat(x.toPrecision(6)))
}

// ---------------------------------------------------------------- GB 18218-2018

export interface HazardCategory {
  symbol: string
  group: '健康危害' | '物理危险'
  /** short name for the select */
  name: string
  /** the wording of Table 2 */
  desc: string
  /** 临界量 Q (t), Table 2 */
  q: number
  /** β, Table 4 */
  beta: number
}

/** Table 2 (临界量) and Table 4 (β) by category symbol. */
export const HAZARD_CATEGORIES: HazardCategory[] = [
  { symbol: 'J1', group: '健康危害', name: '急性毒性类别1气体', desc: '急性毒性：类别1，所有暴露途径，气体', q: 5, beta: 4 },
  { symbol: 'J2', group: '健康危害', name: '急性毒性类别1固体、液体', desc: '急性毒性：类别1，所有暴露途径，固体、液体', q: 50, beta: 1 },
  { symbol: 'J3', group: '健康危害', name: '急性毒性类别2、3气体', desc: '急性毒性：类别2、类别3，所有暴露途径，气体', q: 50, beta: 2 },
  { symbol: 'J4', group: '健康危害', name: '急性毒性类别2、3吸入液体', desc: '急性毒性：类别2、类别3，吸入途径，液体（沸点≤35℃）', q: 50, beta: 2 },
  { symbol: 'J5', group: '健康危害', name: '急性毒性类别2液体、固体', desc: '急性毒性：类别2，所有暴露途径，液体（除J4外）、固体', q: 500, beta: 1 },
  { symbol: 'W1.1', group: '物理危险', name: '不稳定爆炸物、1.1项爆炸物', desc: '爆炸物：不稳定爆炸物；1.1项爆炸物', q: 1, beta: 2 },
  { symbol: 'W1.2', group: '物理危险', name: '1.2、1.3、1.5、1.6项爆炸物', desc: '爆炸物：1.2、1.3、1.5、1.6项爆炸物', q: 10, beta: 2 },
  { symbol: 'W1.3', group: '物理危险', name: '1.4项爆炸物', desc: '爆炸物：1.4项爆炸物', q: 50, beta: 2 },
  { symbol: 'W2', group: '物理危险', name: '易燃气体类别1、2', desc: '易燃气体：类别1和类别2', q: 10, beta: 1.5 },
  { symbol: 'W3', group: '物理危险', name: '气溶胶类别1、2', desc: '气溶胶：类别1和类别2（临界量按净重计）', q: 150, beta: 1 },
  { symbol: 'W4', group: '物理危险', name: '氧化性气体类别1', desc: '氧化性气体：类别1', q: 50, beta: 1 },
  { symbol: 'W5.1', group: '物理危险', name: '易燃液体类别1等', desc: '易燃液体：类别1；类别2和3，工作温度高于沸点', q: 10, beta: 1.5 },
  {
    symbol: 'W5.2',
    group: '物理危险',
    name: '易燃液体类别2、3（特殊工艺条件）',
    desc: '易燃液体：类别2和3，具有引发重大事故的特殊工艺条件，包括危险化工工艺、爆炸极限范围或附近操作、操作压力大于1.6 MPa等',
    q: 50,
    beta: 1,
  },
  { symbol: 'W5.3', group: '物理危险', name: '易燃液体其他类别2', desc: '易燃液体：不属于W5.1或W5.2的其他类别2', q: 1000, beta: 1 },
  { symbol: 'W5.4', group: '物理危险', name: '易燃液体其他类别3', desc: '易燃液体：不属于W5.1或W5.2的其他类别3', q: 5000, beta: 1 },
  { symbol: 'W6.1', group: '物理危险', name: '自反应物质A型、B型', desc: '自反应物质和混合物：A型和B型', q: 10, beta: 1.5 },
  { symbol: 'W6.2', group: '物理危险', name: '自反应物质C型、D型、E型', desc: '自反应物质和混合物：C型、D型、E型', q: 50, beta: 1 },
  { symbol: 'W7.1', group: '物理危险', name: '有机过氧化物A型、B型', desc: '有机过氧化物：A型和B型', q: 10, beta: 1.5 },
  { symbol: 'W7.2', group: '物理危险', name: '有机过氧化物C型～F型', desc: '有机过氧化物：C型、D型、E型、F型', q: 50, beta: 1 },
  { symbol: 'W8', group: '物理危险', name: '自燃液体、自燃固体类别1', desc: '自燃液体和自燃固体：类别1自燃液体；类别1自燃固体', q: 50, beta: 1 },
  { symbol: 'W9.1', group: '物理危险', name: '氧化性固体和液体类别1', desc: '氧化性固体和液体：类别1', q: 50, beta: 1 },
  { symbol: 'W9.2', group: '物理危险', name: '氧化性固体和液体类别2、3', desc: '氧化性固体和液体：类别2、类别3', q: 200, beta: 1 },
  { symbol: 'W10', group: '物理危险', name: '易燃固体类别1', desc: '易燃固体：类别1易燃固体', q: 200, beta: 1 },
  { symbol: 'W11', group: '物理危险', name: '遇水放出易燃气体的物质', desc: '遇水放出易燃气体的物质和混合物：类别1和类别2', q: 200, beta: 1 },
]

export interface NamedChemical {
  name: string
  cas: string
  aliases: string[]
  /** 临界量 Q (t), Table 1 */
  q: number
}

/** Table 1 (危险化学品名称及其临界量), for the name suggestions. */
export const NAMED_CHEMICALS: NamedChemical[] = (
  [
    ['氨', '7664-41-7', ['液氨', '氨气'], 10],
    ['二氟化氧', '7783-41-7', ['一氧化二氟'], 1],
    ['二氧化氮', '10102-44-0', [], 1],
    ['二氧化硫', '7446-09-5', ['亚硫酸酐'], 20],
    ['氟', '7782-41-4', [], 1],
    ['碳酰氯', '75-44-5', ['光气'], 0.3],
    ['环氧乙烷', '75-21-8', ['氧化乙烯'], 10],
    ['甲醛(含量>90%)', '50-00-0', ['蚁醛'], 5],
    ['磷化氢', '7803-51-2', ['磷化三氢', '膦'], 1],
    ['硫化氢', '7783-06-4', [], 5],
    ['氯化氢(无水)', '7647-01-0', [], 20],
    ['氯', '7782-50-5', ['液氯', '氯气'], 5],
    ['煤气(CO,CO和H₂、CH₄的混合物等)', '', [], 20],
    ['砷化氢', '7784-42-1', ['砷化三氢', '胂'], 1],
    ['锑化氢', '7803-52-3', ['三氢化锑', '锑化三氢'], 1],
    ['硒化氢', '7783-07-5', [], 1],
    ['溴甲烷', '74-83-9', ['甲基溴'], 10],
    ['丙酮氰醇', '75-86-5', ['丙酮合氰化氢', '2-羟基异丁腈', '氰丙醇'], 20],
    ['丙烯醛', '107-02-8', ['烯丙醛', '败脂醛'], 20],
    ['氟化氢', '7664-39-3', [], 1],
    ['1-氯-2,3-环氧丙烷', '106-89-8', ['环氧氯丙烷(3-氯-1,2-环氧丙烷)'], 20],
    ['3-溴-1,2-环氧丙烷', '3132-64-7', ['环氧溴丙烷', '溴甲基环氧乙烷', '表溴醇'], 20],
    ['甲苯二异氰酸酯', '26471-62-5', ['二异氰酸甲苯酯', 'TDI'], 100],
    ['一氯化硫', '10025-67-9', ['氯化硫'], 1],
    ['氰化氢', '74-90-8', ['无水氢氰酸'], 1],
    ['三氧化硫', '7446-11-9', ['硫酸酐'], 75],
    ['3-氨基丙烯', '107-11-9', ['烯丙胺'], 20],
    ['溴', '7726-95-6', ['溴素'], 20],
    ['乙撑亚胺', '151-56-4', ['吖丙啶', '1-氮杂环丙烷', '氮丙啶'], 20],
    ['异氰酸甲酯', '624-83-9', ['甲基异氰酸酯'], 0.75],
    ['叠氮化钡', '18810-58-7', ['叠氮钡'], 0.5],
    ['叠氮化铅', '13424-46-9', [], 0.5],
    ['雷汞', '628-86-4', ['二雷酸汞', '雷酸汞'], 0.5],
    ['三硝基苯甲醚', '28653-16-9', ['三硝基茴香醚'], 5],
    ['2,4,6-三硝基甲苯', '118-96-7', ['梯恩梯', 'TNT'], 5],
    ['硝化甘油', '55-63-0', ['硝化丙三醇', '甘油三硝酸酯'], 1],
    ['硝化纤维素[干的或含水(或乙醇)<25%]', '9004-70-0', ['硝化棉'], 1],
    ['硝化纤维素(未改型的,或增塑的,含增塑剂<18%)', '9004-70-0', ['硝化棉'], 1],
    ['硝化纤维素(含乙醇≥25%)', '9004-70-0', ['硝化棉'], 10],
    ['硝化纤维素(含氮≤12.6%)', '9004-70-0', ['硝化棉'], 50],
    ['硝化纤维素(含水≥25%)', '9004-70-0', ['硝化棉'], 50],
    ['硝化纤维素溶液(含氮量≤12.6%,含硝化纤维素≤55%)', '9004-70-0', ['硝化棉溶液'], 50],
    ['硝酸铵(含可燃物>0.2%,包括以碳计算的任何有机物,但不包括任何其他添加剂)', '6484-52-2', [], 5],
    ['硝酸铵(含可燃物≤0.2%)', '6484-52-2', [], 50],
    ['硝酸铵肥料(含可燃物≤0.4%)', '', [], 200],
    ['硝酸钾', '7757-79-1', [], 1000],
    ['1,3-丁二烯', '106-99-0', ['联乙烯'], 5],
    ['二甲醚', '115-10-6', ['甲醚'], 50],
    ['甲烷,天然气', '74-82-8(甲烷);8006-14-2(天然气)', [], 50],
    ['氯乙烯', '75-01-4', ['乙烯基氯'], 50],
    ['氢', '1333-74-0', ['氢气'], 5],
    ['液化石油气(含丙烷、丁烷及其混合物)', '68476-85-7;74-98-6(丙烷);106-97-8(丁烷)', ['石油气(液化的)'], 50],
    ['一甲胺', '74-89-5', ['氨基甲烷', '甲胺'], 5],
    ['乙炔', '74-86-2', ['电石气'], 1],
    ['乙烯', '74-85-1', [], 50],
    ['氧(压缩的或液化的)', '7782-44-7', ['液氧', '氧气'], 200],
    ['苯', '71-43-2', ['纯苯'], 50],
    ['苯乙烯', '100-42-5', ['乙烯苯'], 500],
    ['丙酮', '67-64-1', ['二甲基酮'], 500],
    ['2-丙烯腈', '107-13-1', ['丙烯腈', '乙烯基氰', '氰基乙烯'], 50],
    ['二硫化碳', '75-15-0', [], 50],
    ['环己烷', '110-82-7', ['六氢化苯'], 500],
    ['1,2-环氧丙烷', '75-56-9', ['氧化丙烯', '甲基环氧乙烷'], 10],
    ['甲苯', '108-88-3', ['甲基苯', '苯基甲烷'], 500],
    ['甲醇', '67-56-1', ['木醇', '木精'], 500],
    ['汽油(乙醇汽油、甲醇汽油)', '86290-81-5(汽油)', [], 200],
    ['乙醇', '64-17-5', ['酒精'], 500],
    ['乙醚', '60-29-7', ['二乙基醚'], 10],
    ['乙酸乙酯', '141-78-6', ['醋酸乙酯'], 500],
    ['正己烷', '110-54-3', ['己烷'], 500],
    ['过乙酸', '79-21-0', ['过醋酸', '过氧乙酸', '乙酰过氧化氢'], 10],
    ['过氧化甲基乙基酮(10%<有效氧含量≤10.7%,含A型稀释剂≥48%)', '1338-23-4', [], 10],
    ['白磷', '12185-10-3', ['黄磷'], 50],
    ['烷基铝', '', ['三烷基铝'], 1],
    ['戊硼烷', '19624-22-7', ['五硼烷'], 1],
    ['过氧化钾', '17014-71-0', [], 20],
    ['过氧化钠', '1313-60-6', ['双氧化钠', '二氧化钠'], 20],
    ['氯酸钾', '3811-04-9', [], 100],
    ['氯酸钠', '7775-09-9', [], 100],
    ['发烟硝酸', '52583-42-3', [], 20],
    ['硝酸(发红烟的除外,含硝酸>70%)', '7697-37-2', [], 100],
    ['硝酸胍', '506-93-4', ['硝酸亚氨脲'], 50],
    ['碳化钙', '75-20-7', ['电石'], 100],
    ['钾', '7440-09-7', ['金属钾'], 1],
    ['钠', '7440-23-5', ['金属钠'], 10],
  ] as [string, string, string[], number][]
).map(([name, cas, aliases, q]) => ({ name, cas, aliases, q }))

/** Table 3: β of the 14 named toxic gases. */
export const TOXIC_GAS_BETA: Record<string, number> = {
  一氧化碳: 2,
  二氧化硫: 2,
  氨: 2,
  环氧乙烷: 2,
  氯化氢: 3,
  溴甲烷: 3,
  氯: 4,
  硫化氢: 5,
  氟化氢: 5,
  二氧化氮: 10,
  氰化氢: 10,
  碳酰氯: 20,
  磷化氢: 20,
  异氰酸甲酯: 20,
}

/** Table 5: α by people within 500 m of the unit (highest first). */
export const ALPHA_BANDS: { min: number; alpha: number; label: string }[] = [
  { min: 100, alpha: 2, label: '100人以上' },
  { min: 50, alpha: 1.5, label: '50～99人' },
  { min: 30, alpha: 1.2, label: '30～49人' },
  { min: 1, alpha: 1, label: '1～29人' },
  { min: 0, alpha: 0.5, label: '0人' },
]

export function alphaBand(people: number): { min: number; alpha: number; label: string } | undefined {
  return ALPHA_BANDS.find((b) => people >= b.min)
}

/** Table 6: grade by R (lower bound inclusive), with its colour. */
export const GRADE_BANDS: { grade: string; range: string; color: RiskColor }[] = [
  { grade: '一级', range: 'R ≥ 100', color: 'red' },
  { grade: '二级', range: '50 ≤ R < 100', color: 'orange' },
  { grade: '三级', range: '10 ≤ R < 50', color: 'yellow' },
  { grade: '四级', range: 'R < 10', color: 'blue' },
]
