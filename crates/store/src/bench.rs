//! Benchmark data (压测数据): a district with as many enterprises and hazards as asked, written
//! in bulk. For benchmark databases only: rows are not audited one by one (one audit record
//! says what was generated), and it refuses a database that has data.

use crate::db::Q;
use crate::{demo, Actor, Store, StoreError};
use anjian_domain::hazard::HazardState;
use anjian_domain::org::credit_code_check_char;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::Row;

const ROWS_PER_STATEMENT: usize = 400;
const ROWS_PER_TRANSACTION: usize = 20_000;

/// States of hazards still within their deadline, and of those past it (in a supervised district
/// almost all old hazards are closed; a few run late).
const OPEN_STATES: [(&str, u32); 5] =
    [("closed", 40), ("rectifying", 30), ("reported", 15), ("pending_verification", 12), ("rejected", 3)];
const PAST_STATES: [(&str, u32); 5] =
    [("closed", 95), ("rectifying", 1), ("reported", 1), ("pending_verification", 0), ("rejected", 3)];

/// Generates the district, `enterprises` enterprises and `hazards` hazards over the past year.
pub async fn generate(
    store: &Store,
    enterprises: usize,
    hazards: usize,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<(), StoreError> {
    demo::generate(store, 1, 1, 0, |_, _, _| {}).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(20260601);
    let grids: Vec<(i64, i64, String)> =
        Q::new("SELECT g.id, g.parent_id, g.path FROM jurisdiction g WHERE g.level = 'grid' ORDER BY g.id")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?, r.try_get("path")?)))
            .collect::<Result<_, StoreError>>()?;
    let district: i64 =
        Q::new("SELECT id FROM jurisdiction WHERE level = 'district'").fetch_one(store.pool()).await?.try_get("id")?;
    let sectors = anjian_domain::org::SECTORS;
    let ts = crate::now();
    // Enterprises
    let mut ent_rows: Vec<(usize, &'static str)> = Vec::with_capacity(enterprises); // (grid index, sector)
    let mut done = 0;
    while done < enterprises {
        let mut tx = store.begin().await?;
        let end = (done + ROWS_PER_TRANSACTION).min(enterprises);
        while done < end {
            let n = (end - done).min(ROWS_PER_STATEMENT);
            let mut q = Q::new("INSERT INTO enterprise (name, credit_code, address, longitude, latitude, coord_system, jurisdiction_id, grid_id, scope_path, sectors, above_scale, key_enterprise, employees, legal_representative, safety_manager, contact_phone, created_at, updated_at) VALUES ");
            for k in 0..n {
                let i = done + k;
                let g = rng.gen_range(0..grids.len());
                let sector = sectors[rng.gen_range(0..sectors.len())];
                ent_rows.push((g, sector));
                let mut code = format!("91320411MB{:07}", i);
                code.push(credit_code_check_char(&code).expect("digits"));
                if k > 0 {
                    q.push(", ");
                }
                q.push("(").bind(format!("压测企业{i:07}有限公司")).push(", ").bind(code).push(", '常州市新北区', ");
                q.bind(Some(119.9 + rng.gen_range(0.0..0.15)))
                    .push(", ")
                    .bind(Some(31.82 + rng.gen_range(0.0..0.2)))
                    .push(", 'WGS84', ");
                q.bind(grids[g].1).push(", ").bind(grids[g].0).push(", ").bind(grids[g].2.as_str()).push(", ");
                q.bind(format!("[\"{sector}\"]"))
                    .push(", 0, 0, 20, '', '', '', ")
                    .bind(ts.as_str())
                    .push(", ")
                    .bind(ts.as_str())
                    .push(")");
            }
            q.push(" RETURNING id");
            let ids: Vec<i64> =
                q.fetch_all(&mut *tx.tx).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
            let mut s = Q::new("INSERT INTO enterprise_sector (enterprise_id, sector) VALUES ");
            for (k, id) in ids.iter().enumerate() {
                if k > 0 {
                    s.push(", ");
                }
                s.push("(").bind(*id).push(", ").bind(ent_rows[done + k].1).push(")");
            }
            s.execute(&mut *tx.tx).await?;
            done += n;
        }
        tx.commit().await?;
        progress("企业", done, enterprises);
    }
    let first_ent: i64 = Q::new("SELECT MIN(id) AS m FROM enterprise WHERE name LIKE '压测企业%'")
        .fetch_one(store.pool())
        .await?
        .try_get("m")?;
    // Hazards, oldest first so ids follow time.
    let cal = store.calendar().await?;
    let now = jiff::Timestamp::now();
    let today = cal.date_of(now.into());
    let mut done = 0;
    let mut seq = 0i64;
    while done < hazards {
        let mut tx = store.begin().await?;
        let end = (done + ROWS_PER_TRANSACTION).min(hazards);
        while done < end {
            let n = (end - done).min(ROWS_PER_STATEMENT / 2);
            let mut q = Q::new("INSERT INTO hazard (number, number_scope, enterprise_id, scope_path, sector, location, description, grade, category, source, state, found_by, found_by_name, found_at, found_day, deadline, responsible, closed_at, rectified_on_time, escalation_level, created_at, updated_at) VALUES ");
            for k in 0..n {
                let i = done + k;
                let e = rng.gen_range(0..enterprises.max(1));
                let (g, sector) = ent_rows[e];
                let age_h = ((hazards - i) as i64 * 365 * 24) / hazards as i64;
                let found = now - jiff::SignedDuration::from_hours(age_h);
                let deadline = cal.date_of(found.into()) + jiff::Span::new().days(rng.gen_range(5..40));
                let table = if deadline < today { &PAST_STATES } else { &OPEN_STATES };
                let mut pick = rng.gen_range(0..table.iter().map(|s| s.1).sum::<u32>());
                let mut state = table[0].0;
                for &(st, w) in table {
                    if pick < w {
                        state = st;
                        break;
                    }
                    pick -= w;
                }
                let major = rng.gen_bool(0.03);
                seq += 1;
                let found_s = crate::format_ts(found);
                let closed = (state == "closed").then(|| found_s.clone());
                if k > 0 {
                    q.push(", ");
                }
                q.push("(").bind(anjian_domain::hazard::hazard_number(2026, seq)).push(", ").bind(district).push(", ");
                q.bind(first_ent + e as i64).push(", ").bind(grids[g].2.as_str()).push(", ").bind(sector);
                q.push(", '车间', '压测隐患', ").bind(if major { "重大" } else { "一般" });
                q.push(", '', ").bind(["企业自查", "政府检查", "网格巡查", "群众举报", "第三方"][rng.gen_range(0..5)]);
                q.push(", ")
                    .bind(state)
                    .push(", NULL, '压测', ")
                    .bind(found_s.as_str())
                    .push(", ")
                    .bind(cal.date_of(found.into()).to_string())
                    .push(", ")
                    .bind(deadline.to_string());
                q.push(", '', ").bind(closed).push(", ").bind((state == "closed").then_some(rng.gen_bool(0.9) as i64));
                // A database in use has sent its overdue reminders: the levels due stand, so the
                // server's first reminder run does not escalate a year of backlog under the load.
                let escalated = match HazardState::parse(state).is_some_and(|s| s.is_open()) {
                    true => anjian_domain::hazard::days_overdue(deadline, today)
                        .and_then(|d| anjian_domain::hazard::EscalationPolicy::default().level(d))
                        .map_or(0, |l| l as i64),
                    false => 0,
                };
                q.push(", ").bind(escalated);
                q.push(", ").bind(found_s.as_str()).push(", ").bind(found_s.as_str()).push(")");
            }
            q.execute(&mut *tx.tx).await?;
            done += n;
        }
        tx.commit().await?;
        progress("隐患", done, hazards);
    }
    let mut tx = store.begin().await?;
    // The running totals of what was written in bulk.
    sqlx::query("INSERT INTO hazard_tally (scope_path, sector, source, grade, month, found, rectified, on_time, major, listed) \
        SELECT scope_path, sector, source, grade, SUBSTR(found_day, 1, 7), \
        SUM(CASE WHEN state <> 'rejected' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END), \
        SUM(CASE WHEN rectified_on_time = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN grade = '重大' AND state <> 'rejected' THEN 1 ELSE 0 END), 0 \
        FROM hazard GROUP BY scope_path, sector, source, grade, SUBSTR(found_day, 1, 7)")
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO hazard_state_tally (scope_path, sector, state, n) \
        SELECT scope_path, sector, state, COUNT(*) FROM hazard GROUP BY scope_path, sector, state",
    )
    .execute(&mut *tx.tx)
    .await?;
    Q::new("INSERT INTO number_sequence (scope, year, last) VALUES (")
        .bind(format!("hazard:{district}"))
        .push(", 2026, ")
        .bind(seq)
        .push(")")
        .execute(&mut *tx.tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &Actor::system("压测数据生成"),
        crate::audit::Change::new(
            "bench_data",
            "database",
            None,
            "/",
            format!("生成压测数据：{enterprises} 家企业，{hazards} 条隐患"),
        ),
    )
    .await?;
    tx.commit().await?;
    // Fresh statistics so both planners know the new sizes; on PostgreSQL a VACUUM as well, as
    // autovacuum would do soon after such a load: without the visibility map it sets, the
    // index-only count of overdue hazards visits the table (990 ms against 17 ms at 2,000,000).
    let analyze = if store.backend == crate::Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::query(analyze).execute(store.pool()).await?;
    Ok(())
}

/// The raw insert limit: `concurrency` tasks insert one hazard row per statement (each its own
/// transaction, as each API request is) for `seconds`; returns rows per second.
pub async fn raw_insert(store: &Store, seconds: u64, concurrency: usize) -> Result<f64, StoreError> {
    let r = Q::new("SELECT h.enterprise_id, h.scope_path, h.number_scope FROM hazard h ORDER BY h.id LIMIT 1")
        .fetch_one(store.pool())
        .await?;
    let (ent, path, scope): (i64, String, i64) =
        (r.try_get("enterprise_id")?, r.try_get("scope_path")?, r.try_get("number_scope")?);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = std::time::Instant::now();
    let mut tasks = vec![];
    for t in 0..concurrency {
        let (store, path, counter) = (store.clone(), path.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while std::time::Instant::now() < deadline {
                i += 1;
                let ts = crate::now();
                let mut tx = store.begin().await?;
                let mut q = Q::new("INSERT INTO hazard (number, number_scope, enterprise_id, scope_path, sector, location, description, grade, category, source, state, found_by, found_by_name, found_at, found_day, deadline, responsible, created_at, updated_at) VALUES (");
                q.bind(format!("RAW-{t}-{i}")).push(", ").bind(scope).push(", ").bind(ent).push(", ").bind(path.as_str());
                q.push(", '其他工贸', '二号仓库', '压测：消防通道堆放物料', '一般', '', '政府检查', 'reported', NULL, '压测', ");
                q.bind(ts.as_str()).push(", '2026-11-30', '2026-12-31', '', ").bind(ts.as_str()).push(", ").bind(ts.as_str()).push(")");
                q.execute(&mut *tx.tx).await?;
                tx.commit().await?;
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok::<_, StoreError>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| StoreError::Config(e.to_string()))??;
    }
    let n = counter.load(std::sync::atomic::Ordering::Relaxed) as f64;
    // Leave the benchmark database as it was.
    sqlx::query("DELETE FROM hazard WHERE number LIKE 'RAW-%'").execute(store.pool()).await?;
    Ok(n / start.elapsed().as_secs_f64())
}
