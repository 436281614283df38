//! The binary as an operator uses it, on a SQLite file.

use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn url(&self) -> String {
        format!("sqlite://{}/a.db", self.dir.path().display())
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_anjian"))
            .args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", self.url())
            .env_remove("ANJIAN_DATABASE_URL")
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
    fn sql(&self, sql: &str) -> Vec<String> {
        let url = self.url();
        let sql = sql.to_string();
        tokio_block(async move {
            use sqlx::{Connection, Row};
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let rows = sqlx::query(&sql).fetch_all(&mut c).await.unwrap();
            rows.iter()
                .map(|r| if r.len() > 0 { r.try_get::<String, _>(0).unwrap_or_default() } else { String::new() })
                .collect()
        })
    }
}

fn tokio_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn check_finds_a_tampered_audit_record() {
    let e = Env::new();
    e.ok(&["demo", "--enterprises", "20"]);
    let out = e.ok(&["check"]);
    assert!(out.contains("操作日志链完整"), "{out}");
    e.sql("UPDATE audit_log SET actor_name = 'someone else' WHERE id = 5");
    let o = e.run(&["check"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("第 5 条"), "{out}");
}

#[test]
fn check_finds_a_cut_off_tail_against_the_signed_checkpoint() {
    let e = Env::new();
    e.ok(&["demo", "--enterprises", "20"]);
    // The demo command signed a checkpoint of its head, with a key it created (mode 0600).
    let lines = std::fs::read_to_string(e.dir.path().join("a.db.checkpoints.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 1, "{lines}");
    e.ok(&["audit", "checkpoints"]);
    e.sql("DELETE FROM audit_log WHERE id > (SELECT seq - 3 FROM audit_head)");
    e.sql("UPDATE audit_head SET seq = (SELECT MAX(id) FROM audit_log), last_hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)");
    let o = e.run(&["check"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("截断"), "{out}");
}

#[test]
fn demo_is_deterministic_for_a_seed_and_refuses_a_full_database() {
    let a = Env::new();
    let b = Env::new();
    a.ok(&["demo", "--enterprises", "30", "--seed", "9"]);
    b.ok(&["demo", "--enterprises", "30", "--seed", "9"]);
    let q = "SELECT name || credit_code || CAST(longitude AS TEXT) || scope_path FROM enterprise ORDER BY id";
    assert_eq!(a.sql(q), b.sql(q));
    assert_eq!(a.sql(q).len(), 30);
    let o = a.run(&["demo"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("已有数据"));
}

#[test]
fn users_can_be_added_listed_and_reset() {
    let e = Env::new();
    e.ok(&["demo", "--enterprises", "5"]);
    let out = e.ok(&[
        "user",
        "add",
        "wangwu",
        "--name",
        "王五",
        "--role",
        "committee",
        "--org",
        "2",
        "--password",
        "Strong2026pw",
    ]);
    assert!(out.contains("wangwu"));
    let o =
        e.run(&["user", "add", "zhaoliu", "--name", "赵六", "--role", "committee", "--org", "2", "--password", "weak"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("密码"));
    let list = e.ok(&["user", "list"]);
    assert!(list.contains("wangwu") && list.contains("enterprise"));
    e.ok(&["user", "passwd", "wangwu", "--password", "Another2026pw"]);
}

#[test]
fn backup_is_a_consistent_copy() {
    let e = Env::new();
    e.ok(&["demo", "--enterprises", "12"]);
    e.ok(&["backup", "copy.db"]);
    let copy = Env { dir: tempfile::tempdir().unwrap() };
    std::fs::copy(e.dir.path().join("copy.db"), copy.dir.path().join("a.db")).unwrap();
    assert_eq!(copy.sql("SELECT CAST(COUNT(*) AS TEXT) FROM enterprise"), ["12"]);
    // The copy's checkpoints came along; the public key is all it needs to be checked.
    std::fs::copy(e.dir.path().join("copy.db.checkpoints.jsonl"), copy.dir.path().join("a.db.checkpoints.jsonl"))
        .unwrap();
    let key = e.ok(&["audit", "public-key"]);
    assert!(copy.ok(&["check", "--public-key", key.trim()]).contains("完整"));
    // Without the key the copy cannot be vouched for.
    let o = copy.run(&["check"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stdout).contains("找不到日志签名密钥"));
    // An existing file is never overwritten.
    assert!(!e.run(&["backup", "copy.db"]).status.success());
}

#[test]
fn import_enterprises_from_a_file() {
    let e = Env::new();
    e.ok(&["demo", "--enterprises", "3"]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["企业名称", "统一社会信用代码", "所属辖区", "行业领域"],
        ["命令行导入甲有限公司", "914403001922038216", "春江街道", "燃气"],
        ["命令行导入乙有限公司", "9144030019220382XX", "春江街道", "燃气"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(e.dir.path().join("in.xlsx")).unwrap();
    let o = e.run(&["import", "enterprises", "in.xlsx"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("第3行 统一社会信用代码"), "{out}");
    assert_eq!(e.sql("SELECT CAST(COUNT(*) AS TEXT) FROM enterprise"), ["3"]);
    let o = e.run(&["import", "enterprises", "in.xlsx", "--partial"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("成功导入 1 家企业"));
    assert_eq!(e.sql("SELECT CAST(COUNT(*) AS TEXT) FROM enterprise"), ["4"]);
}

#[test]
fn bench_data_and_the_raw_insert_limit_run_on_a_fresh_database() {
    let e = Env::new();
    let out = e.ok(&["bench-data", "--enterprises", "300", "--hazards", "3000"]);
    assert!(out.contains("3000 条隐患"), "{out}");
    assert_eq!(e.sql("SELECT CAST(COUNT(*) AS TEXT) FROM hazard"), ["3000"]);
    // The running totals match the rows written in bulk.
    assert_eq!(
        e.sql("SELECT CAST(SUM(found) AS TEXT) FROM hazard_tally"),
        e.sql("SELECT CAST(COUNT(*) AS TEXT) FROM hazard WHERE state <> 'rejected'")
    );
    let out = e.ok(&["bench-raw-insert", "--seconds", "1", "--concurrency", "2"]);
    assert!(out.starts_with("raw_insert_rows_per_second "), "{out}");
    assert_eq!(e.sql("SELECT CAST(COUNT(*) AS TEXT) FROM hazard"), ["3000"], "the raw rows are removed again");
    assert!(e.ok(&["check"]).contains("完整"));
}
