// Shapes of the Anjian HTTP API: aliases of the types generated from the server's OpenAPI
// document (docs/openapi.json → schema.d.ts, `npm run gen:api`, run by build and typecheck).
// Do not describe an API shape by hand here: when the document is wrong or too loose, fix the
// server's annotations; until then narrow the generated type where it is used, with a comment.
// The names on the left are the UI's; the document's name is on the right.
import type { components, paths } from './schema'

type S = components['schemas']

// ---- enums ----
export type Role = S['Role']
export type OrgKind = S['OrgKind']
export type JurisdictionLevel = S['JurisdictionLevel']
/** What a user may do (`Me.permissions`, `allowed_actions` of the objects). */
export type Action = S['Action']
export type HazardGrade = S['HazardGrade']
export type HazardSource = S['HazardSource']
export type HazardState = S['HazardState']
export type ListingLevel = S['ListingLevel']
export type ChecklistResult = S['Answer']
export type RiskLevel = S['RiskLevel']
export type RiskMethod = S['Scores']['method']
export type MajorHazardUnit = S['UnitKind']

// ---- common ----
/**
 * The envelope every list endpoint answers: the document's `Page_Hazard`, `Page_User` … differ
 * only in `items`. `next_cursor` is opaque; null (or absent) on the last page.
 */
export type Page<T> = Omit<S['Page_Hazard'], 'items'> & { items: T[] }
/** RFC 9457 problem details. */
export type Problem = S['Problem']
export type ImportError = S['ImportError']
export type ImportResult = S['ImportReport']
/** POST /files */
export type UploadedFile = S['StoredFile']

// ---- auth, org ----
export type User = S['User']
/** GET /auth/me, and the user of POST /auth/login: the account with its permissions. */
export type Me = S['Me']
export type LoginRequest = S['LoginRequest']
export type LoginResponse = S['LoginResponse']
export type PasswordChange = S['PasswordChange']
export type UserInput = S['UserInput']
export type UserPatch = S['UserPatch']
export type Jurisdiction = S['Jurisdiction']
export type JurisdictionInput = S['JurisdictionInput']
export type JurisdictionPatch = S['JurisdictionPatch']
/** GET /jurisdictions/tree */
export type JurisdictionNode = S['TreeNode']
export type Department = S['Department']
export type DepartmentInput = S['DepartmentInput']
export type DepartmentPatch = S['DepartmentPatch']
export type Enterprise = S['Enterprise']
export type EnterpriseDraft = S['EnterpriseDraft']
export type EnterprisePatch = S['EnterprisePatch']
export type AuditRecord = S['AuditRecord']
export type AuditLabels = S['AuditLabels']
export type AuditVerify = S['Verification']

// ---- hazards (隐患排查治理) ----
export type Hazard = S['Hazard']
export type HazardDetail = S['HazardDetail']
export type HazardCounts = S['HazardCounts']
export type HazardSort = S['HazardSort']
export type UrgeInput = S['UrgeInput']
export type UrgeResult = S['UrgeResult']
/** 文书: 隐患整改通知书, 挂牌督办通知书 */
export type Writ = S['Writ']
export type WritBlock = S['WritBlock']
export type HazardWritKind = S['HazardWritKind']
export type Todo = S['Todo']
export type TodoTone = S['Tone']
export type HazardPhoto = S['Photo']
export type HazardEvent = S['Event']
export type HazardInput = S['HazardInput']
/** 治理方案; the first five are the 五到位. */
export type RectificationPlan = S['RectificationPlan']
export type RectifyBody = S['RectifyBody']
export type PhotosBody = S['PhotosBody']
export type VerifyBody = S['VerifyBody']
export type RejectBody = S['RejectBody']
/** 挂牌督办 of a 重大 hazard. */
export type HazardListing = S['Listing']
export type ListingInput = S['ListingInput']
export type ListedClosingInput = S['ListedClosingInput']
export type AssessorKind = S['AssessorKind']
export type ListingSummary = S['ListingSummary']
export type ListingLevelName = S['ListingLevelName']
export type QuotaBody = S['QuotaBody']
/** GET /hazards/stats: one group (or the totals). */
export type HazardStatsGroup = S['Indicators']
export type HazardStats = S['Stats']
/** 隐患排查治理统计分析表 of one enterprise (quarter or year); rates in percent. */
export type EnterpriseHazardReport = S['EnterpriseReport']
export type ChecklistItem = S['ChecklistItem']
export type ChecklistTemplate = S['Checklist']
export type ChecklistAnswer = S['AnswerInput']
export type ChecklistRunInput = S['RunInput']
export type ChecklistRunResult = S['RunResult']
/** 检查记录 */
export type ChecklistRun = S['ChecklistRun']
export type AppNotification = S['Notification']
export type NoticeKind = S['NoticeKind']
export type NoticeKindCount = S['KindCount']

// ---- risk (风险分级管控) ----
/** The scores as entered: LEC (D = L×E×C) or LS (R = L×S). */
export type RiskScores = S['Scores']
/** POST /risk/assess */
export type RiskAssessRequest = S['AssessRequest']
export type RiskAssessment = S['Assessment']
/** 管控措施 at the four levels of control. */
export type ControlMeasures = S['ControlMeasures']
export type RiskPoint = S['RiskPoint']
export type RiskPointInput = S['RiskPointInput']
export type RiskPointPatch = S['RiskPointPatch']
/** GET /enterprises/{id}/risk: the enterprise's level (highest point, or the committee's override). */
export type EnterpriseRisk = S['EnterpriseRisk']
/** PUT /enterprises/{id}/risk */
export type RiskOverride = S['OverrideBody']
export type RiskValueDesc = S['ScoreOption']
/** GET /risk/reference: the option lists and value tables of the risk forms. */
export type RiskReference = S['ReferenceResponse']
/** GB 18218-2018 表1–表6 */
export type Gb18218Reference = S['Gb18218Ref']
export type Gb18218Named = S['NamedChemicalRef']
export type Gb18218Category = S['CategoryRef']
/** Lower bounds (inclusive) of 重大, 较大, 一般; anything below 一般 is 低. */
export type RiskBandBounds = S['Bands']
export type RiskBandSet = S['BandSet']
export type RiskBandsInForce = S['BandsInForce']
export type RiskBandsBody = S['BandsBody']
export type RiskBandsChanged = S['BandsChanged']
export type RiskRules = S['RiskRules']
export type RiskLevelCounts = S['LevelCounts']
export type RiskTally = S['RiskTally']
export type RiskStats = S['RiskStats']
export type MapSettings = S['MapSettings']
/**
 * GET /map/layers/{boundaries,enterprises,hazards,major-hazards}: a GeoJSON FeatureCollection,
 * which the document types as a bare object (no schema); RiskMap.vue narrows it.
 */
export type MapLayer = paths['/api/v1/map/layers/enterprises']['get']['responses'][200]['content']['application/json']

// ---- 重大危险源 (GB 18218-2018) ----
export type MajorHazardSubstance = S['SubstanceInput']
export type MajorHazardRequest = S['MajorHazardRequest']
/** One term of S = Σ q/Q and R = α Σ β q/Q. */
export type MajorHazardTerm = S['Term']
export type MajorHazardResult = S['MajorHazardResult']
/** A registered identification unit (重大危险源 when `is_major`), graded on save. */
export type MajorHazardSource = S['MajorHazardSource']
export type MajorHazardSourceInput = S['SourceInput']
export type MajorHazardSourcePatch = S['SourcePatch']
