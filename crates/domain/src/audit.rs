//! Audit log (操作日志): every state change leaves a record chained by SHA-256 to the one before,
//! so that changing or deleting any past record breaks every later link.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hashed content of one audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub scope_path: &'a str,
    pub summary: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// hash = SHA-256(prev_hash ‖ canonical JSON array of the content), hex encoded.
/// A JSON array keeps field boundaries unambiguous whatever the text contains.
pub fn chain_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let canonical = serde_json::json!([
        c.seq,
        c.at,
        c.actor_id,
        c.actor_name,
        c.action,
        c.entity,
        c.entity_id,
        c.scope_path,
        c.summary,
        c.before,
        c.after
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Walks records in sequence order and tells the first whose link is broken: its stored
/// `prev_hash` is not the previous record's hash, its hash does not match its content, or its
/// sequence number skips (a deleted record).
#[derive(Debug, Default)]
pub struct ChainVerifier {
    last_hash: Option<String>,
    last_seq: i64,
    pub checked: u64,
}

impl ChainVerifier {
    /// Feeds the next record; returns `Err(seq)` if this record breaks the chain.
    pub fn push(&mut self, c: &AuditContent<'_>, prev_hash: &str, hash: &str) -> Result<(), i64> {
        let expected_prev = self.last_hash.as_deref().unwrap_or(GENESIS_HASH);
        let seq_ok = c.seq == self.last_seq + 1;
        if !seq_ok || prev_hash != expected_prev || chain_hash(prev_hash, c) != hash {
            return Err(c.seq);
        }
        self.last_hash = Some(hash.to_string());
        self.last_seq = c.seq;
        self.checked += 1;
        Ok(())
    }
}

/// A signed checkpoint (检查点) of the chain: the head (`seq`, `hash`) at an instant, signed
/// with the server's Ed25519 key, which is kept outside the database. A chain shorter than a
/// checkpoint's `seq` was cut off; a chain whose hash at `seq` differs was rewritten, even if
/// every link was recomputed (the plain hash has no key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// When it was signed (UTC, as the audit records' `at`).
    pub at: String,
    /// The first 16 hex digits of the public key that signed it, to tell a wrong key from a
    /// changed checkpoint.
    pub key_id: String,
    /// Ed25519 signature of [`checkpoint_message`], hex encoded.
    pub sig: String,
}

/// What a checkpoint's signature covers: a fixed label and version, then seq, hash and time.
pub fn checkpoint_message(seq: i64, hash: &str, at: &str) -> Vec<u8> {
    format!("anjian-audit-checkpoint-v1\n{seq}\n{hash}\n{at}").into_bytes()
}

/// The short name of a public key carried by each checkpoint.
pub fn key_id(key: &ed25519_dalek::VerifyingKey) -> String {
    hex::encode(&key.as_bytes()[..8])
}

/// Why a checkpoint does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointFault {
    /// Signed by another key than the one verifying.
    OtherKey,
    /// The key is the same but the signature does not cover the content (the checkpoint was changed).
    BadSignature,
}

impl Checkpoint {
    pub fn sign(key: &ed25519_dalek::SigningKey, seq: i64, hash: &str, at: &str) -> Self {
        use ed25519_dalek::Signer;
        let sig = key.sign(&checkpoint_message(seq, hash, at));
        Self {
            seq,
            hash: hash.to_string(),
            at: at.to_string(),
            key_id: key_id(&key.verifying_key()),
            sig: hex::encode(sig.to_bytes()),
        }
    }

    pub fn verify(&self, key: &ed25519_dalek::VerifyingKey) -> Result<(), CheckpointFault> {
        let sig = hex::decode(&self.sig)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
            .map(|b| ed25519_dalek::Signature::from_bytes(&b));
        let good =
            sig.is_some_and(|s| key.verify_strict(&checkpoint_message(self.seq, &self.hash, &self.at), &s).is_ok());
        match (good, self.key_id == key_id(key)) {
            (true, _) => Ok(()),
            (false, false) => Err(CheckpointFault::OtherKey),
            (false, true) => Err(CheckpointFault::BadSignature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i64, summary: &str) -> AuditContent<'_> {
        AuditContent {
            seq,
            at: "2026-11-26T00:00:00.000Z",
            actor_id: Some(1),
            actor_name: "admin",
            action: "create",
            entity: "enterprise",
            entity_id: Some(seq),
            scope_path: "/1/",
            summary,
            before: None,
            after: Some("{}"),
        }
    }

    fn build(n: i64) -> Vec<(String, String, String)> {
        let mut out = vec![];
        let mut prev = GENESIS_HASH.to_string();
        for i in 1..=n {
            let s = format!("记录{i}");
            let h = chain_hash(&prev, &content(i, &s));
            out.push((s, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let recs = build(5);
        let mut v = ChainVerifier::default();
        for (i, (s, p, h)) in recs.iter().enumerate() {
            v.push(&content(i as i64 + 1, s), p, h).unwrap();
        }
        assert_eq!(v.checked, 5);
    }

    #[test]
    fn tampered_content_is_found_at_its_record() {
        let recs = build(5);
        let mut v = ChainVerifier::default();
        let mut broken = None;
        for (i, (s, p, h)) in recs.iter().enumerate() {
            let s = if i == 2 { "改过的摘要" } else { s.as_str() };
            if let Err(seq) = v.push(&content(i as i64 + 1, s), p, h) {
                broken = Some(seq);
                break;
            }
        }
        assert_eq!(broken, Some(3));
    }

    #[test]
    fn deleted_record_is_found() {
        let recs = build(4);
        let mut v = ChainVerifier::default();
        v.push(&content(1, &recs[0].0), &recs[0].1, &recs[0].2).unwrap();
        // Record 2 removed: record 3 follows record 1.
        assert_eq!(v.push(&content(3, &recs[2].0), &recs[2].1, &recs[2].2), Err(3));
    }

    #[test]
    fn field_boundaries_matter() {
        let a = AuditContent { actor_name: "ab", action: "c", ..content(1, "x") };
        let b = AuditContent { actor_name: "a", action: "bc", ..content(1, "x") };
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
    }

    fn key(seed: u8) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_only() {
        let cp = Checkpoint::sign(&key(1), 42, &"ab".repeat(32), "2026-11-26T00:00:00.000Z");
        assert_eq!(cp.verify(&key(1).verifying_key()), Ok(()));
        assert_eq!(cp.verify(&key(2).verifying_key()), Err(CheckpointFault::OtherKey));
    }

    #[test]
    fn a_changed_checkpoint_does_not_verify() {
        let k = key(1);
        let cp = Checkpoint::sign(&k, 42, &"ab".repeat(32), "2026-11-26T00:00:00.000Z");
        for changed in [
            Checkpoint { seq: 41, ..cp.clone() },
            Checkpoint { hash: "cd".repeat(32), ..cp.clone() },
            Checkpoint { at: "2026-11-27T00:00:00.000Z".into(), ..cp.clone() },
            Checkpoint { sig: "00".repeat(64), ..cp.clone() },
            Checkpoint { sig: "zz".into(), ..cp.clone() },
        ] {
            assert_eq!(changed.verify(&k.verifying_key()), Err(CheckpointFault::BadSignature), "{changed:?}");
        }
    }
}

/// 操作 — every action an audit record may name, with the Chinese the log shows. One table: the
/// log's filter offers it, its column and export read it, and the store refuses (in debug
/// builds, so every test that writes an action checks it) to record an action missing here.
pub const ACTIONS: [(&str, &str); 25] = [
    ("create", "新增"),
    ("update", "修改"),
    ("delete", "删除"),
    ("import", "导入"),
    ("number", "编号"),
    ("set", "设置"),
    ("login", "登录"),
    ("logout", "退出登录"),
    ("change_password", "修改密码"),
    ("set_password", "重置密码"),
    ("rectify", "开始整改"),
    ("submit", "提交验收"),
    ("verify_pass", "验收通过（销号）"),
    ("verify_fail", "验收不通过"),
    ("reject", "驳回"),
    ("close", "立查立改销号"),
    ("list", "挂牌督办"),
    ("close_listing", "挂牌督办销号"),
    ("escalate", "逾期提醒"),
    ("urge", "催办"),
    ("review_reminder", "评审逾期提醒"),
    ("risk_override", "调整企业风险等级"),
    ("risk_override_clear", "取消风险等级调整"),
    ("set_risk_bands", "设置风险分级阈值"),
    ("bench_data", "生成测试数据"),
];

/// 对象类型 — every kind of object an audit record may be about.
pub const ENTITIES: [(&str, &str); 13] = [
    ("jurisdiction", "行政区划"),
    ("department", "部门"),
    ("enterprise", "企业"),
    ("user", "用户"),
    ("session", "会话"),
    ("hazard", "隐患"),
    ("checklist", "检查清单"),
    ("checklist_run", "检查记录"),
    ("risk_point", "风险点"),
    ("major_hazard_source", "重大危险源"),
    ("setting", "系统设置"),
    ("listing_quota", "挂牌督办指标"),
    ("database", "数据库"),
];

/// The fields a before/after names, in Chinese (a field missing here shows under its own name).
const FIELDS: [(&str, &str); 50] = [
    ("state", "状态"),
    ("comment", "意见"),
    ("number", "编号"),
    ("name", "名称"),
    ("level", "级别"),
    ("grade", "等级"),
    ("deadline", "期限"),
    ("document_number", "文号"),
    ("escalation_level", "提醒级别"),
    ("review_reminder_level", "评审提醒级别"),
    ("next_review", "下次评审日期"),
    ("role", "角色"),
    ("active", "启用"),
    ("username", "用户名"),
    ("display_name", "姓名"),
    ("phone", "电话"),
    ("credit_code", "统一社会信用代码"),
    ("address", "地址"),
    ("sectors", "行业领域"),
    ("jurisdiction_id", "所属辖区"),
    ("grid_id", "所属网格"),
    ("employees", "从业人数"),
    ("legal_representative", "法定代表人"),
    ("safety_manager", "安全负责人"),
    ("contact_phone", "联系电话"),
    ("key_enterprise", "重点企业"),
    ("above_scale", "规上企业"),
    ("risk_level", "风险等级"),
    ("value", "取值"),
    ("version", "版本"),
    ("description", "描述"),
    ("enterprise_id", "企业编号"),
    ("source", "来源"),
    ("location", "部位"),
    ("sector", "行业领域"),
    ("responsible", "整改责任人"),
    ("code", "代码"),
    ("coord_system", "坐标系"),
    ("has_boundary", "有边界"),
    ("id", "编号（内部）"),
    ("jurisdiction_name", "所属辖区名称"),
    ("latitude", "纬度"),
    ("longitude", "经度"),
    ("org_id", "所属单位"),
    ("parent_id", "上级"),
    ("r", "R 值"),
    ("s", "S 值"),
    ("score", "分值"),
    ("scores", "各项分值"),
    ("substances", "危险物质"),
];

pub fn action_label(action: &str) -> Option<&'static str> {
    ACTIONS.iter().find(|(a, _)| *a == action).map(|(_, l)| *l)
}

pub fn entity_label(entity: &str) -> Option<&'static str> {
    ENTITIES.iter().find(|(e, _)| *e == entity).map(|(_, l)| *l)
}

/// One field of a before/after, in Chinese (修改前 → 修改后).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields a change touched, field by field (before's fields, then those only after has); unchanged fields are left out. Values read as a clerk reads them:
/// a hazard state by its Chinese name, true/false as 是/否, lists joined by 、.
pub fn field_changes(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().collect();
    keys.extend(a.keys().filter(|k| !b.contains_key(*k)));
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            label: FIELDS.iter().find(|(f, _)| f == k).map_or_else(|| k.clone(), |(_, l)| l.to_string()),
            before: b.get(k).map(|v| shown(k, v)),
            after: a.get(k).map(|v| shown(k, v)),
        })
        .collect()
}

fn shown(field: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => "（空）".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::String(s) if field == "state" => {
            crate::hazard::HazardState::parse(s).map_or_else(|| s.clone(), |st| st.label().to_string())
        }
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(|i| shown(field, i)).collect::<Vec<_>>().join("、"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod label_tests {
    use super::*;

    #[test]
    fn every_action_and_entity_has_one_chinese_label() {
        for table in [&ACTIONS[..], &ENTITIES[..]] {
            for (i, (code, label)) in table.iter().enumerate() {
                assert!(!label.is_ascii(), "{code}");
                assert!(table[..i].iter().all(|(c, _)| c != code), "{code} twice");
            }
        }
        assert_eq!(action_label("verify_pass"), Some("验收通过（销号）"));
        assert_eq!(action_label("frobnicate"), None);
    }

    #[test]
    fn a_hazards_verification_reads_as_a_field_by_field_chinese_diff() {
        let before = serde_json::json!({"state": "pending_verification"});
        let after = serde_json::json!({"state": "closed", "comment": "复查合格"});
        let d = field_changes(Some(&before), Some(&after));
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].label.as_str(), d[0].before.as_deref(), d[0].after.as_deref()),
            ("状态", Some("待验收"), Some("已销号"))
        );
        assert_eq!(
            (d[1].label.as_str(), d[1].before.as_deref(), d[1].after.as_deref()),
            ("意见", None, Some("复查合格"))
        );
        // Unchanged fields are left out; a creation has only afters.
        let same = serde_json::json!({"name": "储罐区", "active": true});
        assert!(field_changes(Some(&same), Some(&same)).is_empty());
        let created = field_changes(None, Some(&same));
        let active = created.iter().find(|c| c.field == "active").unwrap();
        assert_eq!(
            (active.label.as_str(), active.before.as_deref(), active.after.as_deref()),
            ("启用", None, Some("是"))
        );
    }
}
