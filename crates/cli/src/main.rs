//! `anjian` — the one binary: serve the platform, migrate, fill the demo district, manage
//! users, import enterprises, back up, and check the audit chain.

mod config;

use anjian_store::audit::{seal, SealKey, Sealer};
use anjian_store::auth::{all_users, set_password, system_principal, user_create, UserInput};
use anjian_store::{demo, Actor, Store};
use clap::{Parser, Subcommand};
use config::Config;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "anjian", version, about = "安监 — 安全生产综合监管平台")]
struct Cli {
    /// Configuration file (TOML); ANJIAN_* environment variables override it
    #[arg(long, global = true, default_value = "anjian.toml")]
    config: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrates the database first)
    Serve {
        /// Address to listen on
        #[arg(long)]
        bind: Option<String>,
        /// Fill an empty database with the demo district, then serve
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit
    Migrate,
    /// Fill an empty database with the demo district and exit
    Demo {
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        #[arg(long, default_value_t = 2400)]
        enterprises: usize,
        /// Hazards over the past year (default: three for every four enterprises)
        #[arg(long)]
        hazards: Option<usize>,
    },
    /// Manage user accounts
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Add a jurisdiction node (for a fresh installation without demo data)
    Jurisdiction {
        name: String,
        /// city, district, street, community or grid
        #[arg(long)]
        level: String,
        /// GB/T 2260 code (6 digits for 市/区县)
        #[arg(long)]
        code: Option<String>,
        /// Parent node id
        #[arg(long)]
        parent: Option<i64>,
    },
    /// Import data from Excel
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Fill an empty database with benchmark data (bulk; see bench/README.md)
    BenchData {
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 2_000_000)]
        hazards: usize,
    },
    /// Measure the raw insert rate of hazard rows (the limit API ingest is compared with)
    BenchRawInsert {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Consistent online copy of the SQLite database
    Backup { file: String },
    /// Verify the audit chain against the signed checkpoints; exits non-zero with the reason
    /// at the first broken link, a cut-off tail or a chain recomputed after an edit
    Check {
        /// Verify with this Ed25519 public key (hex, from `anjian audit public-key`, kept away
        /// from the server) instead of the key file
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Audit checkpoints: export them, show the public key
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Print every signed checkpoint, one JSON line each (the checkpoint file, checked)
    Checkpoints,
    /// Print the public key that verifies the checkpoints
    PublicKey,
    /// Sign a checkpoint of the current head now
    Seal,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        /// Id of the user's jurisdiction, department or enterprise
        #[arg(long)]
        org: i64,
        /// Password (else read from ANJIAN_PASSWORD)
        #[arg(long, env = "ANJIAN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Set a user's password
    Passwd {
        username: String,
        #[arg(long, env = "ANJIAN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// List users
    List,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import enterprises from an .xlsx file made from the template
    Enterprises {
        file: String,
        /// Import good rows one by one and report bad ones (default: all or nothing)
        #[arg(long)]
        partial: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match Config::load(&cli.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误：{e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&cfg);
    match run(cli.command, cfg).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cfg.log_level));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cfg.log_json {
        b.json().init();
    } else {
        b.init();
    }
}

/// Opens (creating on first use) the key file and the checkpoint file.
fn sealer(cfg: &Config) -> Result<std::sync::Arc<Sealer>, String> {
    let (key, file) = cfg.audit_files();
    Ok(std::sync::Arc::new(Sealer::open(&key, &file).map_err(|e| e.to_string())?))
}

/// Signs a checkpoint of the head after a command that wrote (a refusal is reported, not fatal:
/// the write itself is done, and `check` tells what is wrong).
async fn seal_now(cfg: &Config, store: &Store) -> Result<(), String> {
    let s = sealer(cfg)?;
    if let Err(e) = s.checkpoint(store).await {
        eprintln!("未签署日志检查点：{e}");
    }
    Ok(())
}

async fn open(cfg: &Config) -> Result<Store, String> {
    let store = Store::connect_with(&cfg.database_url, cfg.store_options()).await.map_err(|e| e.to_string())?;
    store.bootstrap().await.map_err(|e| e.to_string())?;
    Ok(store)
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:8} [{bar:40}] {pos}/{len} {eta}").expect("template").progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

async fn fill_demo(store: &Store, seed: u64, enterprises: usize, hazards: Option<usize>) -> Result<(), String> {
    let pb = bar(enterprises as u64, "演示数据");
    let hazards = hazards.unwrap_or(enterprises * 3 / 4);
    let sum = demo::generate(store, seed, enterprises, hazards, |what, n, total| {
        pb.set_message(what.to_string());
        pb.set_length(total as u64);
        pb.set_position(n as u64);
    })
    .await
    .map_err(|e| e.to_string())?;
    pb.finish_and_clear();
    println!(
        "演示辖区已生成：{} 个辖区节点，{} 个部门，{} 家企业，{} 个风险点，{} 个辨识单元，{} 条隐患，{} 条检查记录。",
        sum.jurisdictions,
        sum.departments,
        sum.enterprises,
        sum.risk_points,
        sum.major_hazard_sources,
        sum.hazards,
        sum.inspections
    );
    Ok(())
}

fn print_demo_accounts() {
    println!("演示账号（密码均为 {}，仅演示模式有效）：", demo::DEMO_PASSWORD);
    for r in anjian_domain::auth::Role::ALL {
        println!("  {:<11} {}", r.as_str(), r.label());
    }
}

async fn run(cmd: Command, cfg: Config) -> Result<ExitCode, String> {
    match cmd {
        Command::Serve { bind, demo: demo_mode } => {
            let store = open(&cfg).await?;
            let has_demo = demo::is_demo(&store).await.map_err(|e| e.to_string())?;
            if demo_mode {
                if !has_demo {
                    let empty = all_users(&store).await.map_err(|e| e.to_string())?.is_empty();
                    if !empty {
                        return Err("数据库已有数据，不能填入演示辖区；请换一个空数据库运行 --demo".into());
                    }
                    fill_demo(&store, 2026, 2400, None).await?;
                }
                print_demo_accounts();
            } else if has_demo {
                let n = demo::force_password_change(&store).await.map_err(|e| e.to_string())?;
                if n > 0 {
                    println!("非演示模式：{n} 个演示账号须在登录后修改密码。");
                }
            }
            let bind = bind.unwrap_or(cfg.bind.clone());
            let sealer = sealer(&cfg)?;
            if let Err(e) = sealer.checkpoint(&store).await {
                tracing::error!(error = %e, "audit checkpoint refused at start");
            }
            anjian_server::jobs::spawn_reminders(
                store.clone(),
                anjian_server::Clock::system(),
                std::time::Duration::from_secs(300),
            );
            anjian_server::jobs::spawn_cleanup(
                store.clone(),
                anjian_server::Clock::system(),
                std::time::Duration::from_secs(3600),
            );
            anjian_server::jobs::spawn_sealer(store.clone(), sealer.clone(), cfg.seal_policy());
            if let Some(out) = cfg.outbound()? {
                println!("提醒外发已开启：{}（{}）", cfg.outbound_channel, cfg.outbound_kinds);
                anjian_server::outbound::spawn(
                    store.clone(),
                    std::sync::Arc::new(out),
                    anjian_server::Clock::system(),
                    std::time::Duration::from_secs(30),
                );
            }
            let app = anjian_server::app(
                store.clone(),
                anjian_server::ServerConfig { audit_seal: Some(sealer.clone()), ..cfg.server() },
            );
            let listener = tokio::net::TcpListener::bind(&bind).await.map_err(|e| format!("无法监听 {bind}：{e}"))?;
            println!("安监平台已启动：http://{bind}/");
            axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await
                .map_err(|e| e.to_string())?;
            // A clean stop signs the head, so the last records before it are sealed too.
            match sealer.checkpoint(&store).await {
                Ok(Some(cp)) => tracing::info!(seq = cp.seq, "audit checkpoint signed at shutdown"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "audit checkpoint refused at shutdown"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            open(&cfg).await?;
            println!("数据库迁移完成。");
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { seed, enterprises, hazards } => {
            let store = open(&cfg).await?;
            fill_demo(&store, seed, enterprises, hazards).await?;
            seal_now(&cfg, &store).await?;
            print_demo_accounts();
            Ok(ExitCode::SUCCESS)
        }
        Command::User { action } => {
            let store = open(&cfg).await?;
            let actor = Actor::system("命令行");
            match action {
                UserCommand::Add { username, name, role, org, password } => {
                    let role = anjian_domain::auth::Role::parse(&role).ok_or_else(|| {
                        "角色应为 admin, committee, department, station, grid, enterprise, expert 之一".to_string()
                    })?;
                    let u = user_create(
                        &store,
                        &actor,
                        UserInput {
                            username,
                            display_name: name,
                            role,
                            org_id: org,
                            password,
                            phone: String::new(),
                            assigned_enterprises: vec![],
                        },
                        false,
                    )
                    .await
                    .map_err(describe)?;
                    println!("已创建用户 {}（{}，id {}）", u.username, u.role_label, u.id);
                }
                UserCommand::Passwd { username, password } => {
                    set_password(&store, &actor, &username, &password).await.map_err(describe)?;
                    println!("已重设 {username} 的密码。");
                }
                UserCommand::List => {
                    return list_users(&store).await;
                }
            }
            seal_now(&cfg, &store).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Jurisdiction { name, level, code, parent } => {
            let store = open(&cfg).await?;
            let level = anjian_domain::org::JurisdictionLevel::parse(&level)
                .ok_or_else(|| "层级应为 city, district, street, community, grid 之一".to_string())?;
            let j = anjian_store::org::jurisdiction_create(
                &store,
                &Actor::system("命令行"),
                anjian_store::org::JurisdictionInput {
                    parent_id: parent,
                    level,
                    code,
                    name,
                    boundary: None,
                    timezone: None,
                },
            )
            .await
            .map_err(describe)?;
            seal_now(&cfg, &store).await?;
            println!("已创建{}「{}」，id {}", level.label(), j.name, j.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what: ImportCommand::Enterprises { file, partial } } => {
            let store = open(&cfg).await?;
            let bytes = std::fs::read(&file).map_err(|e| format!("无法读取 {file}：{e}"))?;
            let rows = anjian_server::excel::read_rows(&bytes).map_err(|e| e.detail)?;
            let rows = anjian_server::api::org::rows_after_header(rows).map_err(|e| e.detail)?;
            let pb = bar(rows.len() as u64, "导入企业");
            let report = anjian_store::org::enterprise_import(
                &store,
                &system_principal("命令行导入"),
                rows,
                partial,
                |n| pb.set_position(n as u64),
            )
            .await
            .map_err(describe)?;
            pb.finish_and_clear();
            for e in &report.errors {
                println!("第{}行 {}：{}", e.row, e.column, e.message);
            }
            if !partial && !report.errors.is_empty() {
                println!("有{}行数据有误，未导入任何数据（可加 --partial 仅导入正确的行）。", report.failed);
                return Ok(ExitCode::FAILURE);
            }
            seal_now(&cfg, &store).await?;
            println!("成功导入 {} 家企业，{} 行有误。", report.imported, report.failed);
            Ok(if report.failed > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::BenchData { enterprises, hazards } => {
            let store = open(&cfg).await?;
            let pb = bar(enterprises as u64, "企业");
            let t = std::time::Instant::now();
            anjian_store::bench::generate(&store, enterprises, hazards, |what, n, total| {
                pb.set_message(what.to_string());
                pb.set_length(total as u64);
                pb.set_position(n as u64);
            })
            .await
            .map_err(describe)?;
            pb.finish_and_clear();
            seal_now(&cfg, &store).await?;
            println!(
                "压测数据已生成：{enterprises} 家企业，{hazards} 条隐患，用时 {:.1} 秒。",
                t.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::BenchRawInsert { seconds, concurrency } => {
            let store = open(&cfg).await?;
            let rate = anjian_store::bench::raw_insert(&store, seconds, concurrency).await.map_err(describe)?;
            println!("raw_insert_rows_per_second {rate:.1}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            let store = open(&cfg).await?;
            // The checkpoints go along, copied before the database: each names a head the copy holds.
            let (_, checkpoints) = cfg.audit_files();
            let cp_copy = format!("{file}.checkpoints.jsonl");
            let with_checkpoints = checkpoints.exists() && !std::path::Path::new(&file).exists();
            if with_checkpoints {
                std::fs::copy(&checkpoints, &cp_copy).map_err(|e| format!("无法复制检查点文件：{e}"))?;
            }
            store.backup_sqlite(&file).await.map_err(|e| e.to_string())?;
            println!("已备份到 {file}");
            if with_checkpoints {
                println!(
                    "检查点已复制到 {cp_copy}（校验副本：anjian check --public-key <anjian audit public-key 的输出>）"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { public_key } => check(&cfg, public_key).await,
        Command::Audit { what } => {
            let (key_file, file) = cfg.audit_files();
            match what {
                AuditCommand::Checkpoints => {
                    let key =
                        seal_key(&cfg, None)?.ok_or_else(|| format!("找不到日志签名密钥 {}", key_file.display()))?;
                    let log = seal::read_log(&file)
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("找不到检查点文件 {}", file.display()))?;
                    eprintln!("公钥 {}，{} 个检查点（{}）", hex_key(&key), log.checkpoints.len(), file.display());
                    let mut bad = 0;
                    for c in &log.checkpoints {
                        if c.verify(&key.key).is_err() {
                            bad += 1;
                        }
                        println!("{}", serde_json::to_string(c).map_err(|e| e.to_string())?);
                    }
                    if bad > 0 || !log.bad_lines.is_empty() {
                        eprintln!("其中 {bad} 个签名无效，{} 行无法读取", log.bad_lines.len());
                        return Ok(ExitCode::FAILURE);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                AuditCommand::PublicKey => {
                    let key =
                        seal_key(&cfg, None)?.ok_or_else(|| format!("找不到日志签名密钥 {}", key_file.display()))?;
                    println!("{}", hex_key(&key));
                    Ok(ExitCode::SUCCESS)
                }
                AuditCommand::Seal => {
                    let store = open(&cfg).await?;
                    match sealer(&cfg)?.checkpoint(&store).await.map_err(|e| e.to_string())? {
                        Some(cp) => println!("已签署检查点：第 {} 条记录，{}", cp.seq, cp.at),
                        None => println!("自上一个检查点以来没有新记录。"),
                    }
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
    }
}

fn hex_key(k: &SealKey) -> String {
    k.key.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The key that verifies checkpoints: the given public key, else the key file's (`None` if
/// there is no key file).
fn seal_key(cfg: &Config, public_key: Option<&str>) -> Result<Option<SealKey>, String> {
    let (key_file, file) = cfg.audit_files();
    let key = match public_key {
        Some(hex) => seal::public_key_from_hex(hex).map_err(|e| e.to_string())?,
        None => match seal::read_key(&key_file).map_err(|e| e.to_string())? {
            Some(k) => k.verifying_key(),
            None => return Ok(None),
        },
    };
    Ok(Some(SealKey { key, file }))
}

async fn check(cfg: &Config, public_key: Option<String>) -> Result<ExitCode, String> {
    let store = open(cfg).await?;
    let key = seal_key(cfg, public_key.as_deref())?;
    let v = anjian_store::audit::verify(&store, key.as_ref()).await.map_err(|e| e.to_string())?;
    if !v.ok {
        println!("{}。", v.message);
        return Ok(ExitCode::FAILURE);
    }
    if key.is_none() && v.head_seq > 0 {
        println!(
            "找不到日志签名密钥 {}：只校验了链（{} 条完好），无法确认日志没有被截断或整体重算。",
            cfg.audit_files().0.display(),
            v.checked
        );
        return Ok(ExitCode::FAILURE);
    }
    println!("{}。", v.message);
    Ok(ExitCode::SUCCESS)
}

async fn list_users(store: &Store) -> Result<ExitCode, String> {
    for u in all_users(store).await.map_err(|e| e.to_string())? {
        println!(
            "{:>5}  {:<16} {:<12} {:<10} {}{}",
            u.id,
            u.username,
            u.display_name,
            u.role.as_str(),
            u.org_name,
            if u.active { "" } else { "（已停用）" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM (what `kill` and service managers send) start a clean stop.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A store error as a sentence for the terminal, with field errors spelled out.
fn describe(e: anjian_store::StoreError) -> String {
    match e {
        anjian_store::StoreError::Invalid(errs) => {
            errs.iter().map(|f| format!("{}：{}", f.field, f.message)).collect::<Vec<_>>().join("；")
        }
        anjian_store::StoreError::NotFound => "未找到".into(),
        other => other.to_string(),
    }
}
