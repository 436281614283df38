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
