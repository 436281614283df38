//! Signed checkpoints of the audit chain: what the chain alone misses (a cut-off tail with the
//! head rewritten, a chain recomputed after an edit) is found against the checkpoints; a wrong
//! key is told; verification under concurrent writers never cries wolf.

mod common;

use anjian_domain::audit::{chain_hash, AuditContent};
use anjian_store::audit::{self, Sealer};
use common::TestApp;
use serde_json::{json, Value};
use sqlx::Row;

async fn verify(app: &TestApp, token: &str) -> Value {
    let r = app.get("/api/v1/audit/verify", token).await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    r.json()
}

async fn head(app: &TestApp) -> i64 {
    sqlx::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(app.store.pool()).await.unwrap().get(0)
}

/// Audit records of one report: the report with its number (the batching writer numbers in its
/// transaction; a checklist's findings get a second record when the linker numbers them).
const RECORDS_PER_REPORT: i64 = 1;

/// Reports `n` hazards: `n * RECORDS_PER_REPORT` audit records.
async fn write_some(app: &TestApp, token: &str, n: usize) {
    let line = app.get("/api/v1/enterprises?q=安泰化工", token).await.json()["items"][0]["id"].as_i64().unwrap();
    for i in 0..n {
        let r = app.post("/api/v1/hazards", token, hazard(line, i)).await;
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
    }
}

fn hazard(enterprise: i64, i: usize) -> Value {
    json!({"enterprise_id": enterprise, "description": format!("消防通道堆放物料 {i}"), "grade": "一般",
           "source": "政府检查", "deadline": "2026-06-25", "location": "二号仓库"})
}

/// Recomputes every hash from `from` on, as someone who edited the log and knows the (keyless)
/// chain rule would, and rewrites the head to match.
async fn rehash_from(app: &TestApp, from: i64) {
    let pool = app.store.pool();
    let mut prev: String =
        sqlx::query("SELECT hash FROM audit_log WHERE id = $1").bind(from - 1).fetch_one(pool).await.unwrap().get(0);
    let rows =
        sqlx::query("SELECT * FROM audit_log WHERE id >= $1 ORDER BY id").bind(from).fetch_all(pool).await.unwrap();
    let mut last = 0i64;
    for r in &rows {
        let g = |c: &str| -> String { r.get(c) };
        let (at, actor, action, entity, scope, summary) =
            (g("at"), g("actor_name"), g("action"), g("entity"), g("scope_path"), g("summary"));
        let before: Option<String> = r.get("before_json");
        let after: Option<String> = r.get("after_json");
        let seq: i64 = r.get("id");
        let c = AuditContent {
            seq,
            at: &at,
            actor_id: r.get("actor_id"),
            actor_name: &actor,
            action: &action,
            entity: &entity,
            entity_id: r.get("entity_id"),
            scope_path: &scope,
            summary: &summary,
            before: before.as_deref(),
            after: after.as_deref(),
        };
        let h = chain_hash(&prev, &c);
        sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
            .bind(&prev)
            .bind(&h)
            .bind(seq)
            .execute(pool)
            .await
            .unwrap();
        prev = h;
        last = seq;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
        .bind(last)
        .bind(&prev)
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_sealed_chain_verifies_and_says_how_far_it_is_signed() {
    let app = TestApp::demo_sealed().await;
    let a = app.login("admin").await;
    let v = verify(&app, &a).await;
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!((v["sealed"].as_bool(), v["checkpoints"].as_i64()), (Some(true), Some(1)));
    // The first checkpoint covers the whole demo; the login is recorded after it.
    assert_eq!(
        (v["checkpoint_seq"].as_i64().unwrap() + 1, v["unsealed"].as_i64()),
        (v["head_seq"].as_i64().unwrap(), Some(1))
    );
    app.sealer.as_ref().unwrap().checkpoint(&app.store).await.unwrap().expect("a checkpoint");
    let v = verify(&app, &a).await;
    assert_eq!((v["checkpoint_seq"].clone(), v["unsealed"].as_i64()), (v["head_seq"].clone(), Some(0)), "{v}");
    write_some(&app, &a, 3).await;
    let v = verify(&app, &a).await;
    assert_eq!((v["ok"].as_bool(), v["unsealed"].as_i64()), (Some(true), Some(3 * RECORDS_PER_REPORT)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("尚未签署"), "{v}");
}

#[tokio::test]
async fn a_cut_off_tail_with_the_head_rewritten_is_found() {
    let app = TestApp::demo_sealed().await;
    let a = app.login("admin").await;
    write_some(&app, &a, 4).await;
    app.sealer.as_ref().unwrap().checkpoint(&app.store).await.unwrap().expect("a checkpoint");
    let n = head(&app).await;
    // Cut off the newest three records and make the head name the new last one.
    app.sql(&format!("DELETE FROM audit_log WHERE id > {}", n - 3)).await;
    app.sql(&format!(
        "UPDATE audit_head SET seq = {0}, last_hash = (SELECT hash FROM audit_log WHERE id = {0}) WHERE id = 1",
        n - 3
    ))
    .await;
    // The chain alone cannot tell …
    let chain_only = audit::verify(&app.store, None).await.unwrap();
    assert!(chain_only.ok, "{chain_only:?}");
    // … the checkpoint can.
    let v = verify(&app, &a).await;
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken_id"], n - 2);
    let m = v["message"].as_str().unwrap();
    assert!(m.contains("截断") && m.contains(&format!("第 {n} 条")), "{m}");
    // And the sealer refuses to sign the shortened chain.
    let e = app.sealer.as_ref().unwrap().checkpoint(&app.store).await.unwrap_err().to_string();
    assert!(e.contains("拒绝签署"), "{e}");
}

#[tokio::test]
async fn an_edit_with_every_hash_recomputed_is_found() {
    let app = TestApp::demo_sealed().await;
    let a = app.login("admin").await;
    app.sql("UPDATE audit_log SET summary = '被改过' WHERE id = 17").await;
    rehash_from(&app, 17).await;
    let chain_only = audit::verify(&app.store, None).await.unwrap();
    assert!(chain_only.ok, "the recomputed chain is consistent in itself: {chain_only:?}");
    let v = verify(&app, &a).await;
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["first_broken_id"], v["checkpoint_seq"]);
    assert!(v["message"].as_str().unwrap().contains("重新计算了哈希"), "{v}");
}

#[tokio::test]
async fn a_wrong_key_or_a_changed_checkpoint_is_told() {
    let app = TestApp::demo_sealed().await;
    let file = app.checkpoint_file();
    // Verifying with another installation's key.
    let other = tempfile::tempdir().unwrap();
    let wrong = Sealer::open(&other.path().join("k"), &file).unwrap().seal_key();
    let v = audit::verify(&app.store, Some(&wrong)).await.unwrap();
    assert!(!v.ok && v.message.contains("不是用当前密钥签署"), "{v:?}");
    // A checkpoint edited to match a rewritten chain no longer carries a valid signature.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut cp: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    cp["hash"] = json!("0".repeat(64));
    std::fs::write(&file, format!("{cp}\n")).unwrap();
    let key = app.sealer.as_ref().unwrap().seal_key();
    let v = audit::verify(&app.store, Some(&key)).await.unwrap();
    assert!(!v.ok && v.message.contains("签名无效"), "{v:?}");
    // A missing checkpoint file is not taken for a sound log.
    std::fs::remove_file(&file).unwrap();
    let v = audit::verify(&app.store, Some(&key)).await.unwrap();
    assert!(!v.ok && v.message.contains("找不到检查点文件"), "{v:?}");
}

#[tokio::test]
async fn the_checkpoint_file_is_append_only_json_lines() {
    let app = TestApp::demo_sealed().await;
    let a = app.login("admin").await;
    let sealer = app.sealer.clone().unwrap();
    sealer.checkpoint(&app.store).await.unwrap().expect("the login is signed");
    let file = app.checkpoint_file();
    let mut seen = std::fs::read(&file).unwrap();
    for round in 0..3 {
        write_some(&app, &a, 2).await;
        assert!(sealer.checkpoint(&app.store).await.unwrap().is_some());
        // Nothing new: nothing signed.
        assert!(sealer.checkpoint(&app.store).await.unwrap().is_none());
        let now = std::fs::read(&file).unwrap();
        assert!(now.starts_with(&seen) && now.len() > seen.len(), "round {round}: the file was rewritten");
        seen = now;
    }
    let text = String::from_utf8(seen).unwrap();
    assert!(text.ends_with('\n'));
    let seqs: Vec<i64> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("each line is one JSON object");
            for k in ["seq", "hash", "at", "key_id", "sig"] {
                assert!(!v[k].is_null(), "{k} in {l}");
            }
            v["seq"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(seqs.len(), 5);
    assert!(seqs[1..].windows(2).all(|w| w[0] + 2 * RECORDS_PER_REPORT == w[1]), "{seqs:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = app.seal_dir.as_ref().unwrap().path().join("audit.key");
        assert_eq!(std::fs::metadata(key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // A line cut short by a crash is ignored, and the next checkpoint starts a line of its own.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(b"{\"seq\": 9")
        })
        .unwrap();
    assert_eq!(verify(&app, &a).await["ok"], true);
    write_some(&app, &a, 1).await;
    assert!(sealer.checkpoint(&app.store).await.unwrap().is_some());
    let v = verify(&app, &a).await;
    assert_eq!((v["ok"].as_bool(), v["checkpoints"].as_i64()), (Some(true), Some(6)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("1 行无法读取"), "{v}");
}

#[tokio::test]
async fn checkpoints_are_exported_to_the_administrator_only() {
    let app = TestApp::demo_sealed().await;
    let a = app.login("admin").await;
    let x = app.get("/api/v1/audit/checkpoints", &a).await.json();
    assert_eq!(x["public_key"].as_str().unwrap().len(), 64);
    assert_eq!(x["checkpoints"].as_array().unwrap().len(), 1);
    assert_eq!(x["checkpoints"][0]["key_id"], x["key_id"]);
    let c = app.login("committee").await;
    app.get("/api/v1/audit/checkpoints", &c).await.problem(403);
    // A server without a key has nothing to export.
    let plain = TestApp::demo().await;
    let a = plain.login("admin").await;
    plain.get("/api/v1/audit/checkpoints", &a).await.problem(404);
}

/// Writers run through the router while the chain is verified again and again, and the sealer
/// signs meanwhile: every verification must pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verification_under_concurrent_writers_never_gives_a_false_alarm() {
    let app = std::sync::Arc::new(TestApp::demo_sealed().await);
    let a = app.login("admin").await;
    let line = app.get("/api/v1/enterprises?q=安泰化工", &a).await.json()["items"][0]["id"].as_i64().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = vec![];
    for w in 0..4 {
        let (app, a, stop) = (app.clone(), a.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 200 {
                let r = app.post("/api/v1/hazards", &a, hazard(line, w * 1000 + n)).await;
                assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.bytes));
                n += 1;
            }
            n
        }));
    }
    let sealer = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let s = app.sealer.clone().unwrap();
            let mut signed = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if s.checkpoint(&app.store).await.expect("checkpoint").is_some() {
                    signed += 1;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            signed
        })
    };
    let start = head(&app).await;
    let mut runs = 0;
    while runs < 12 {
        let v = verify(&app, &a).await;
        assert_eq!(v["ok"], true, "verification {runs} under writers: {v}");
        runs += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    let signed = sealer.await.unwrap();
    assert!(written > 0 && head(&app).await > start, "writers wrote meanwhile");
    assert!(signed > 0, "checkpoints were signed meanwhile");
    let v = verify(&app, &a).await;
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["checked"].as_i64().unwrap() >= head(&app).await);
}
