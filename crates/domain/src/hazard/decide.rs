//! The closed loop's state machine (`decide`) and what a caller may do to a hazard now
//! (`allowed_actions`): one rule, read by the API's `allowed_actions` and by every action.

use super::{check_listable, HazardGrade, HazardSource, HazardState, RectificationPlan};
use crate::auth::{Action, Role};
use crate::FieldError;

/// An action on a hazard, each an explicit endpoint.
#[derive(Debug, Clone, PartialEq)]
pub enum HazardAction {
    /// 开始整改 (重大: with the 治理方案)
    Rectify { plan: Option<RectificationPlan> },
    /// 提交验收 with after-photos
    Submit { after_photos: usize },
    /// 验收: passing closes it (销号), failing sends it back to rectification
    Verify { passed: bool, comment: String },
    /// 驳回: not a hazard
    Reject { reason: String },
    /// 立查立改: a 一般 hazard fixed on the spot
    Close { after_photos: usize },
}

impl HazardAction {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Rectify { .. } => "rectify",
            Self::Submit { .. } => "submit",
            Self::Verify { .. } => "verify",
            Self::Reject { .. } => "reject",
            Self::Close { .. } => "close",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Self::Rectify { .. } => "开始整改",
            Self::Submit { .. } => "提交验收",
            Self::Verify { passed: true, .. } => "验收通过（销号）",
            Self::Verify { passed: false, .. } => "验收不通过",
            Self::Reject { .. } => "驳回",
            Self::Close { .. } => "立查立改销号",
        }
    }
}

/// What the rules need to know about a hazard.
#[derive(Debug, Clone, Copy)]
pub struct HazardFacts {
    pub state: HazardState,
    pub grade: HazardGrade,
    pub source: HazardSource,
    /// The enterprise has an active account: it starts the rectification and submits the result
    /// itself. One without (most small firms at first) has its steps recorded by its regulators.
    pub enterprise_on_platform: bool,
}

/// Who acts: the role, and whether the actor is the hazard's own enterprise.
#[derive(Debug, Clone, Copy)]
pub struct HazardActor {
    pub role: Role,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum HazardRefusal {
    /// The role may not take this action (403).
    Forbidden(String),
    /// Not allowed from the current state (409).
    IllegalTransition(String),
    /// Input missing or wrong (422).
    Invalid(Vec<FieldError>),
}

impl HazardAction {
    /// The entry of the permission table this action is.
    pub fn permission(&self) -> Action {
        match self {
            Self::Rectify { .. } => Action::RectifyHazard,
            Self::Submit { .. } => Action::SubmitHazard,
            Self::Verify { .. } => Action::VerifyHazard,
            Self::Reject { .. } => Action::RejectHazard,
            Self::Close { .. } => Action::CloseHazard,
        }
    }
}

/// The actions on a hazard, in the order the detail page offers them.
const HAZARD_ACTIONS: [Action; 6] = [
    Action::RectifyHazard,
    Action::SubmitHazard,
    Action::VerifyHazard,
    Action::RejectHazard,
    Action::CloseHazard,
    Action::ListHazard,
];

/// The role part of the rule for one hazard: the permission table, then what the hazard's grade
/// and source add (403 with the reason).
fn role_refusal(h: HazardFacts, role: Role, action: Action) -> Option<String> {
    let why = |m: &str| Some(format!("{}{m}", role.label()));
    let may = role.may(action);
    match action {
        Action::RectifyHazard if !may => why("不能代替企业整改隐患"),
        Action::SubmitHazard if !may => why("不能代替企业提交整改结果"),
        // The enterprise's own steps of the loop, where it is on the platform (DOMAIN.md §2).
        Action::RectifyHazard if role != Role::Enterprise && h.enterprise_on_platform => {
            Some("企业已有平台账号，开始整改由企业办理".into())
        }
        Action::SubmitHazard if role != Role::Enterprise && h.enterprise_on_platform => {
            Some("企业已有平台账号，整改结果由企业提交验收".into())
        }
        Action::CloseHazard if !may => why("不能立查立改销号"),
        Action::RejectHazard if !may => why("不能驳回隐患，须由监管部门确认"),
        Action::VerifyHazard => match h.grade {
            HazardGrade::Major if !(may && role.is_regulator()) => {
                why("不能验收重大隐患：重大隐患须由监管部门验收销号")
            }
            // A 一般 hazard the enterprise found itself closes in its own loop; others are
            // verified by whoever supervises (including grid inspectors and experts).
            HazardGrade::General if !may || (role == Role::Enterprise && h.source != HazardSource::SelfInspection) => {
                why("不能验收监管方发现的隐患")
            }
            _ => None,
        },
        Action::ListHazard if !may => why("不能挂牌督办"),
        _ if !may => why("无权执行此操作"),
        _ => None,
    }
}

/// The state part of the rule (409 naming the current state).
fn state_refusal(h: HazardFacts, action: Action, listed: bool) -> Option<String> {
    use HazardState::*;
    let wrong = |what: &str| Some(format!("隐患当前状态为「{}」，不能{what}", h.state.label()));
    match action {
        Action::RectifyHazard if h.state != Reported => wrong("开始整改（只有「已上报」的隐患可以开始整改）"),
        Action::SubmitHazard if h.state != Rectifying => wrong("提交验收（须先开始整改）"),
        Action::VerifyHazard if h.state != PendingVerification => wrong("验收（只有「待验收」的隐患可以验收）"),
        Action::RejectHazard if h.state != Reported => wrong("驳回（只有「已上报」的隐患可以驳回）"),
        Action::CloseHazard if h.grade == HazardGrade::Major => {
            Some("重大隐患不能立查立改销号，须制定治理方案并经监管部门验收".into())
        }
        Action::CloseHazard if h.state != Reported => wrong("立查立改销号（只有刚上报的一般隐患可以）"),
        Action::ListHazard => check_listable(h, listed).err().map(|r| match r {
            HazardRefusal::IllegalTransition(m) | HazardRefusal::Forbidden(m) => m,
            HazardRefusal::Invalid(e) => e.into_iter().map(|e| e.message).collect(),
        }),
        _ => None,
    }
}

/// What the role may do to this hazard now (`allowed_actions` of the API): the same role and
/// state rules as [`decide`], without the input.
pub fn allowed_actions(h: HazardFacts, role: Role, listed: bool) -> Vec<Action> {
    HAZARD_ACTIONS
        .into_iter()
        .filter(|a| role_refusal(h, role, *a).is_none() && state_refusal(h, *a, listed).is_none())
        .collect()
}

/// Decides an action: the new state, or why not. Checks, in order: the role, the state, the input.
pub fn decide(h: HazardFacts, actor: HazardActor, action: &HazardAction) -> Result<HazardState, HazardRefusal> {
    use HazardAction::*;
    use HazardState::*;
    if let Some(m) = role_refusal(h, actor.role, action.permission()) {
        return Err(HazardRefusal::Forbidden(m));
    }
    if let Some(m) = state_refusal(h, action.permission(), false) {
        return Err(HazardRefusal::IllegalTransition(m));
    }
    let invalid = |f: &str, m: &str| Err(HazardRefusal::Invalid(vec![FieldError::new(f, m)]));
    match action {
        Rectify { plan } => {
            if h.grade == HazardGrade::Major {
                match plan {
                    None => {
                        return invalid(
                            "plan",
                            "重大隐患须先制定治理方案，落实措施、责任、资金、时限、预案（五到位）后方可整改",
                        )
                    }
                    Some(p) => p.check_five_in_place().map_err(HazardRefusal::Invalid)?,
                }
            } else if let Some(p) = plan {
                p.check_texts().map_err(HazardRefusal::Invalid)?;
            }
            Ok(Rectifying)
        }
        Submit { after_photos } => {
            if *after_photos == 0 {
                return invalid("after_photos", "请上传至少一张整改后照片");
            }
            Ok(PendingVerification)
        }
        Verify { passed, comment } => {
            if let Err(e) = crate::text::check("comment", "验收意见", comment, crate::text::MAX_TEXT) {
                return Err(HazardRefusal::Invalid(vec![e]));
            }
            if !passed && comment.trim().is_empty() {
                return invalid("comment", "验收不通过时请填写原因");
            }
            Ok(if *passed { Closed } else { Rectifying })
        }
        Reject { reason } => {
            if let Err(e) = crate::text::check("reason", "驳回理由", reason, crate::text::MAX_TEXT) {
                return Err(HazardRefusal::Invalid(vec![e]));
            }
            if reason.trim().is_empty() {
                return invalid("reason", "请填写驳回理由");
            }
            Ok(Rejected)
        }
        Close { after_photos } => {
            if *after_photos == 0 {
                return invalid("after_photos", "立查立改须上传整改后照片");
            }
            Ok(Closed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HazardAction::*;
    use HazardState::*;

    fn facts(state: HazardState, grade: HazardGrade) -> HazardFacts {
        HazardFacts { state, grade, source: HazardSource::SelfInspection, enterprise_on_platform: false }
    }
    fn by(role: Role) -> HazardActor {
        HazardActor { role }
    }
    fn plan() -> RectificationPlan {
        RectificationPlan {
            measures: "更换泄爆片，增设隔爆阀".into(),
            responsible: "总经理 张伟".into(),
            funds: "12万元".into(),
            deadline: "2026-12-31".into(),
            contingency: "粉尘爆炸专项应急预案".into(),
            goal: String::new(),
        }
    }

    #[test]
    fn general_hazard_walks_the_whole_loop() {
        let g = HazardGrade::General;
        let e = by(Role::Enterprise);
        assert_eq!(decide(facts(Reported, g), e, &Rectify { plan: None }), Ok(Rectifying));
        assert_eq!(decide(facts(Rectifying, g), e, &Submit { after_photos: 1 }), Ok(PendingVerification));
        // Self-found 一般 hazard: the enterprise closes its own loop.
        assert_eq!(
            decide(facts(PendingVerification, g), e, &Verify { passed: true, comment: String::new() }),
            Ok(Closed)
        );
    }

    #[test]
    fn failed_verification_goes_back_to_rectifying_with_a_reason() {
        let f = facts(PendingVerification, HazardGrade::Major);
        let s = by(Role::Station);
        assert_eq!(decide(f, s, &Verify { passed: false, comment: "泄爆口朝向人员通道".into() }), Ok(Rectifying));
        let r = decide(f, s, &Verify { passed: false, comment: " ".into() });
        assert!(matches!(r, Err(HazardRefusal::Invalid(e)) if e[0].field == "comment"));
    }

    #[test]
    fn major_hazard_needs_all_five_in_place_before_rectifying() {
        let f = facts(Reported, HazardGrade::Major);
        let e = by(Role::Enterprise);
        assert!(
            matches!(decide(f, e, &Rectify { plan: None }), Err(HazardRefusal::Invalid(v)) if v[0].field == "plan")
        );
        for missing in ["plan.measures", "plan.responsible", "plan.funds", "plan.deadline", "plan.contingency"] {
            let mut p = plan();
            match missing {
                "plan.measures" => p.measures.clear(),
                "plan.responsible" => p.responsible.clear(),
                "plan.funds" => p.funds.clear(),
                "plan.deadline" => p.deadline.clear(),
                _ => p.contingency = "  ".into(),
            }
            match decide(f, e, &Rectify { plan: Some(p) }) {
                Err(HazardRefusal::Invalid(errs)) => {
                    assert_eq!(errs.len(), 1);
                    assert_eq!(errs[0].field, missing);
                    assert!(errs[0].message.contains("五到位"));
                }
                other => panic!("{missing}: {other:?}"),
            }
        }
        assert_eq!(decide(f, e, &Rectify { plan: Some(plan()) }), Ok(Rectifying));
        let bad_date = RectificationPlan { deadline: "年底前".into(), ..plan() };
        assert!(matches!(decide(f, e, &Rectify { plan: Some(bad_date) }), Err(HazardRefusal::Invalid(_))));
    }

    #[test]
    fn only_a_regulator_verifies_a_major_hazard() {
        let f = facts(PendingVerification, HazardGrade::Major);
        let pass = Verify { passed: true, comment: String::new() };
        for r in [Role::Enterprise, Role::Grid, Role::Expert] {
            assert!(matches!(decide(f, by(r), &pass), Err(HazardRefusal::Forbidden(_))), "{r:?}");
        }
        for r in [Role::Station, Role::Department, Role::Committee, Role::Admin] {
            assert_eq!(decide(f, by(r), &pass), Ok(Closed), "{r:?}");
        }
    }

    #[test]
    fn an_enterprise_on_the_platform_takes_its_own_steps_and_one_without_has_them_recorded_for_it() {
        let on = HazardFacts {
            state: Reported,
            grade: HazardGrade::General,
            source: HazardSource::GridPatrol,
            enterprise_on_platform: true,
        };
        let rectify = Rectify { plan: None };
        assert_eq!(decide(on, by(Role::Enterprise), &rectify), Ok(Rectifying));
        for role in [Role::Station, Role::Grid, Role::Committee, Role::Admin] {
            assert!(matches!(decide(on, by(role), &rectify), Err(HazardRefusal::Forbidden(_))), "{role:?}");
            assert!(!allowed_actions(on, role, false).contains(&Action::RectifyHazard), "{role:?}");
        }
        let submit = Submit { after_photos: 1 };
        let rectifying = HazardFacts { state: Rectifying, ..on };
        assert!(matches!(decide(rectifying, by(Role::Station), &submit), Err(HazardRefusal::Forbidden(_))));
        // Without an account, the station records the enterprise's steps; an expert never does.
        let off = HazardFacts { enterprise_on_platform: false, ..on };
        assert_eq!(decide(off, by(Role::Station), &rectify), Ok(Rectifying));
        assert_eq!(decide(HazardFacts { state: Rectifying, ..off }, by(Role::Grid), &submit), Ok(PendingVerification));
        assert!(decide(off, by(Role::Expert), &rectify).is_err());
        // 立查立改 stays with whoever found it on the spot.
        assert_eq!(decide(on, by(Role::Grid), &Close { after_photos: 1 }), Ok(Closed));
    }

    #[test]
    fn enterprise_cannot_verify_what_the_government_found() {
        let f = HazardFacts {
            state: PendingVerification,
            grade: HazardGrade::General,
            source: HazardSource::GovernmentInspection,
            enterprise_on_platform: true,
        };
        let pass = Verify { passed: true, comment: String::new() };
        assert!(matches!(decide(f, by(Role::Enterprise), &pass), Err(HazardRefusal::Forbidden(_))));
        assert_eq!(decide(f, by(Role::Grid), &pass), Ok(Closed));
    }

    #[test]
    fn on_the_spot_fix_only_for_general_with_a_photo() {
        let e = by(Role::Grid);
        assert_eq!(decide(facts(Reported, HazardGrade::General), e, &Close { after_photos: 1 }), Ok(Closed));
        assert!(matches!(
            decide(facts(Reported, HazardGrade::General), e, &Close { after_photos: 0 }),
            Err(HazardRefusal::Invalid(_))
        ));
        assert!(matches!(
            decide(facts(Reported, HazardGrade::Major), e, &Close { after_photos: 3 }),
            Err(HazardRefusal::IllegalTransition(_))
        ));
        assert!(matches!(
            decide(facts(Rectifying, HazardGrade::General), e, &Close { after_photos: 1 }),
            Err(HazardRefusal::IllegalTransition(_))
        ));
    }

    #[test]
    fn reject_needs_a_regulator_and_a_reason() {
        let f = facts(Reported, HazardGrade::General);
        assert!(matches!(
            decide(f, by(Role::Enterprise), &Reject { reason: "不是隐患".into() }),
            Err(HazardRefusal::Forbidden(_))
        ));
        assert!(matches!(decide(f, by(Role::Station), &Reject { reason: "".into() }), Err(HazardRefusal::Invalid(_))));
        assert_eq!(
            decide(f, by(Role::Station), &Reject { reason: "重复上报，与YH-2026-000012为同一隐患".into() }),
            Ok(Rejected)
        );
    }

    #[test]
    fn every_illegal_transition_is_refused_with_the_current_state_named() {
        let actions = [
            Rectify { plan: Some(plan()) },
            Submit { after_photos: 1 },
            Verify { passed: true, comment: String::new() },
            Reject { reason: "x".into() },
            Close { after_photos: 1 },
        ];
        let legal = |s: HazardState, a: &HazardAction| {
            matches!(
                (s, a),
                (Reported, Rectify { .. })
                    | (Reported, Reject { .. })
                    | (Reported, Close { .. })
                    | (Rectifying, Submit { .. })
                    | (PendingVerification, Verify { .. })
            )
        };
        for s in HazardState::ALL {
            for a in &actions {
                let r = decide(facts(s, HazardGrade::General), by(Role::Admin), a);
                if legal(s, a) {
                    assert!(r.is_ok(), "{s:?} {a:?}");
                } else {
                    match r {
                        Err(HazardRefusal::IllegalTransition(m)) => assert!(m.contains(s.label()), "{m}"),
                        other => panic!("{s:?} {a:?}: {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn allowed_actions_are_exactly_what_decide_lets_through() {
        // For every role, state, grade and source: an action is offered iff `decide` passes it
        // with a complete input.
        let complete = [
            Rectify { plan: Some(plan()) },
            Submit { after_photos: 1 },
            Verify { passed: true, comment: String::new() },
            Reject { reason: "重复上报".into() },
            Close { after_photos: 1 },
        ];
        for role in Role::ALL {
            for state in HazardState::ALL {
                for grade in [HazardGrade::General, HazardGrade::Major] {
                    for (source, enterprise_on_platform) in
                        HazardSource::ALL.into_iter().flat_map(|s| [(s, false), (s, true)])
                    {
                        let h = HazardFacts { state, grade, source, enterprise_on_platform };
                        let offered = allowed_actions(h, role, false);
                        for a in &complete {
                            assert_eq!(
                                offered.contains(&a.permission()),
                                decide(h, by(role), a).is_ok(),
                                "{role:?} {a:?} on {h:?}"
                            );
                        }
                        let listable = grade == HazardGrade::Major && state.is_open() && role.may(Action::ListHazard);
                        assert_eq!(offered.contains(&Action::ListHazard), listable);
                        assert!(!allowed_actions(h, role, true).contains(&Action::ListHazard));
                    }
                }
            }
        }
    }
}
