//! Checkpoints (检查点) of the audit chain, kept outside the database.
//!
//! The chain alone proves only that its records agree with each other: cutting off the newest
//! records and rewriting `audit_head`, or recomputing every hash after an edit, leaves a chain
//! that verifies. A [`Sealer`] signs the head (seq, hash, time) with an Ed25519 key read from a
//! key file, and appends the signed checkpoint as one JSON line to a checkpoint file (fsync'd).
//! [`super::verify`] then requires the chain to reach every checkpoint's seq with the same hash.

use crate::{now, Store, StoreError};
use anjian_domain::audit::{key_id, Checkpoint};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sqlx::Row;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What verifies checkpoints: the public key and the checkpoint file.
#[derive(Debug, Clone)]
pub struct SealKey {
    pub key: VerifyingKey,
    pub file: PathBuf,
}

impl SealKey {
    /// The key id checkpoints carry (first 16 hex digits of the public key).
    pub fn key_id(&self) -> String {
        key_id(&self.key)
    }
}

/// Signs checkpoints and appends them to the checkpoint file.
pub struct Sealer {
    signing: SigningKey,
    file: PathBuf,
    /// The last checkpoint written (or read at open); the lock also serialises appends.
    last: tokio::sync::Mutex<Option<Checkpoint>>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer(key {}, {})", key_id(&self.signing.verifying_key()), self.file.display())
    }
}

fn file_err(what: &str, path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::File(format!("{what} {}：{e}", path.display()))
}

/// Parses a public key written as 64 hex digits.
pub fn public_key_from_hex(s: &str) -> Result<VerifyingKey, StoreError> {
    let bytes = hex::decode(s.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
    bytes
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| StoreError::File(format!("公钥应为 64 位十六进制数：{s}")))
}

/// Reads the key file (the 32-byte Ed25519 seed as 64 hex digits); `None` if it does not exist.
pub fn read_key(path: &Path) -> Result<Option<SigningKey>, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_err("无法读取日志签名密钥", path, e)),
    };
    let seed = hex::decode(text.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok());
    match seed {
        Some(s) => Ok(Some(SigningKey::from_bytes(&s))),
        None => Err(StoreError::File(format!("日志签名密钥文件 {} 格式不对（应为 64 位十六进制数）", path.display()))),
    }
}

/// Reads the key file, or creates it (mode 0600, created exclusively) with a new random key.
pub fn load_or_create_key(path: &Path) -> Result<SigningKey, StoreError> {
    if let Some(k) = read_key(path)? {
        warn_if_readable_by_others(path);
        return Ok(k);
    }
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = SigningKey::from_bytes(&seed);
    create_dir_of(path)?;
    let mut f = create_private(path, true).map_err(|e| file_err("无法创建日志签名密钥", path, e))?;
    f.write_all(format!("{}\n", hex::encode(seed)).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| file_err("无法写入日志签名密钥", path, e))?;
    sync_dir_of(path);
    tracing::info!(path = %path.display(), key_id = key_id(&key.verifying_key()), "audit signing key created");
    Ok(key)
}

fn create_dir_of(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::create_dir_all(d).map_err(|e| file_err("无法创建目录", d, e)),
        _ => Ok(()),
    }
}

/// Opens a file for writing readable by its owner only: a new one (`exclusive`) or for appending.
fn create_private(path: &Path, exclusive: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    if exclusive {
        o.write(true).create_new(true);
    } else {
        o.append(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path) {
            if m.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "audit signing key is readable by others; chmod 600 it");
            }
        }
    }
}

/// Makes a new directory entry durable (a created file survives a power cut).
fn sync_dir_of(path: &Path) {
    #[cfg(unix)]
    if let Some(d) = path.parent() {
        let d = if d.as_os_str().is_empty() { Path::new(".") } else { d };
        if let Ok(f) = std::fs::File::open(d) {
            let _ = f.sync_all();
        }
    }
}

/// The checkpoint file as read: its checkpoints in file order, and the lines it could not read.
#[derive(Debug, Default)]
pub struct CheckpointLog {
    pub checkpoints: Vec<Checkpoint>,
    /// Line numbers (from 1) that are not checkpoints.
    pub bad_lines: Vec<usize>,
    /// The last line is incomplete (no newline, not JSON): a write cut short by a crash. It is
    /// ignored, and the next append starts on a new line.
    pub torn_tail: bool,
}

/// Reads the checkpoint file; `None` if it does not exist.
pub fn read_log(path: &Path) -> Result<Option<CheckpointLog>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_err("无法读取检查点文件", path, e)),
    };
    let mut log = CheckpointLog::default();
    let ends_with_newline = bytes.last().is_none_or(|b| *b == b'\n');
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let n = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Checkpoint>(line) {
            Ok(c) => log.checkpoints.push(c),
            Err(_) if i + 1 == n && !ends_with_newline => log.torn_tail = true,
            Err(_) => log.bad_lines.push(i + 1),
        }
    }
    Ok(Some(log))
}

/// Appends one checkpoint as a JSON line and waits until it is on disk. A torn last line left by
/// a crash is ended first, so the new checkpoint starts a line of its own.
pub fn append(path: &Path, cp: &Checkpoint) -> Result<(), StoreError> {
    let mut f = create_private(path, false).map_err(|e| file_err("无法打开检查点文件", path, e))?;
    let mut line = serde_json::to_string(cp).expect("a checkpoint serialises");
    line.push('\n');
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > 0 {
        let mut r = std::fs::File::open(path).map_err(|e| file_err("无法读取检查点文件", path, e))?;
        let mut last = [0u8; 1];
        r.seek(SeekFrom::Start(len - 1))
            .and_then(|_| r.read_exact(&mut last))
            .map_err(|e| file_err("无法读取检查点文件", path, e))?;
        if last[0] != b'\n' {
            line.insert(0, '\n');
        }
    }
    f.write_all(line.as_bytes()).and_then(|_| f.sync_data()).map_err(|e| file_err("无法写入检查点文件", path, e))
}

/// The head as the database holds it: `audit_head` and the hash of the record it names.
async fn head(store: &Store) -> Result<(i64, String, Option<String>), StoreError> {
    let r = sqlx::query(
        "SELECT h.seq, h.last_hash, l.hash FROM audit_head h LEFT JOIN audit_log l ON l.id = h.seq WHERE h.id = 1",
    )
    .fetch_one(store.pool())
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
}

impl Sealer {
    /// Opens (or creates, on first start) the key file and the checkpoint file.
    pub fn open(key_file: &Path, checkpoint_file: &Path) -> Result<Self, StoreError> {
        let signing = load_or_create_key(key_file)?;
        let log = match read_log(checkpoint_file)? {
            Some(l) => l,
            None => {
                create_dir_of(checkpoint_file)?;
                create_private(checkpoint_file, false)
                    .map_err(|e| file_err("无法创建检查点文件", checkpoint_file, e))?;
                sync_dir_of(checkpoint_file);
                CheckpointLog::default()
            }
        };
        let vk = signing.verifying_key();
        let last = log.checkpoints.into_iter().rev().find(|c| c.verify(&vk).is_ok());
        Ok(Self { signing, file: checkpoint_file.to_path_buf(), last: tokio::sync::Mutex::new(last) })
    }

    /// The public side: what `verify` needs.
    pub fn seal_key(&self) -> SealKey {
        SealKey { key: self.signing.verifying_key(), file: self.file.clone() }
    }

    /// The last checkpoint written.
    pub async fn last(&self) -> Option<Checkpoint> {
        self.last.lock().await.clone()
    }

    /// Records written since the last checkpoint.
    pub async fn pending(&self, store: &Store) -> Result<i64, StoreError> {
        // First finish any linking a stopped process left behind (records committed, not chained).
        crate::links::run(store).await?;
        let seq: i64 =
            sqlx::query("SELECT seq FROM audit_head WHERE id = 1").fetch_one(store.pool()).await?.try_get(0)?;
        Ok(seq - self.last.lock().await.as_ref().map_or(0, |c| c.seq))
    }

    /// Signs the current head and appends it, unless nothing was written since the last
    /// checkpoint. Refuses (an error, nothing signed) when the database no longer agrees with
    /// the last checkpoint or the head names a record it does not match: signing then would
    /// bless a log that was cut off or rewritten.
    pub async fn checkpoint(&self, store: &Store) -> Result<Option<Checkpoint>, StoreError> {
        crate::links::run(store).await?;
        let mut last = self.last.lock().await;
        let (seq, hash, record_hash) = head(store).await?;
        if seq == 0 || last.as_ref().is_some_and(|l| l.seq == seq && l.hash == hash) {
            return Ok(None);
        }
        if record_hash.as_deref() != Some(hash.as_str()) {
            return Err(StoreError::Conflict(format!(
                "操作日志头（第 {seq} 条）与该条记录不符，拒绝签署检查点；请运行 anjian check"
            )));
        }
        if let Some(l) = last.as_ref() {
            let at_last: Option<String> = sqlx::query("SELECT hash FROM audit_log WHERE id = $1")
                .bind(l.seq)
                .fetch_optional(store.pool())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if seq < l.seq || at_last.as_deref() != Some(l.hash.as_str()) {
                return Err(StoreError::Conflict(format!(
                    "操作日志与上一个检查点（第 {} 条）不符，拒绝签署新的检查点；请运行 anjian check",
                    l.seq
                )));
            }
        }
        let cp = Checkpoint::sign(&self.signing, seq, &hash, &now());
        let (file, line) = (self.file.clone(), cp.clone());
        tokio::task::spawn_blocking(move || append(&file, &line))
            .await
            .map_err(|e| StoreError::File(format!("检查点写入中断：{e}")))??;
        *last = Some(cp.clone());
        Ok(Some(cp))
    }
}
