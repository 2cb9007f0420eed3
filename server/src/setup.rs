//! A database belongs to one server at a time, and its first administrator
//! is made at the console.
//!
//! - [`lock`]: `<db>.lock`, held while a server (or `create-admin`) uses
//!   the database. Two servers on one database would each keep their own
//!   queues and overwrite each other's; the second one refuses to start.
//! - [`create_admin`]: `lobby-server create-admin NAME` adds an
//!   administrator account to a stopped server's database, with an argon2
//!   hash of a password typed at the console, and writes it to the audit
//!   trail. A fresh database has no accounts and no default password; this
//!   (or `LOBBY_ADMIN_TOKEN`) is how the first one comes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;
use lobby_core::api::{AuditAction, Role, StaffView};

use crate::audit::{self, Actor, Record};
use crate::auth;
use crate::auth::StaffRecord;
use crate::store::{Log, Store};

/// The lock on a database, released when dropped (or when the process
/// ends, however it ends).
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    path: PathBuf,
}

impl DbLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Takes `<db>.lock`, or says which database is in use.
pub fn lock(db: &Path) -> anyhow::Result<DbLock> {
    if let Some(dir) = db.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the directory {}", dir.display()))?;
    }
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock { _file: file, path }),
        Err(TryLockError::WouldBlock) => bail!(
            "数据库 {} 正由另一个 lobby-server 使用（the database is in use by another \
             lobby-server; stop it first）",
            db.display()
        ),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// Why an administrator could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The user name has characters other than letters, digits, `.-_`.
    #[error(
        "用户名只能用字母、数字和 . - _，最多 32 个字符（user name: letters, digits, . - _; at most 32）"
    )]
    BadUsername,
    /// The password is too short or long, or has control or invisible
    /// characters.
    #[error(
        "密码须为 {} 至 256 个字符，不能含控制字符或不可见字符（password: {} to 256 characters, no control or invisible ones）",
        auth::MIN_PASSWORD,
        auth::MIN_PASSWORD
    )]
    BadPassword,
    /// The account exists.
    #[error("账号 {0} 已存在（the account already exists）")]
    Taken(String),
}

/// Adds an administrator to the database at `db` (which must not be in
/// use by a running server).
pub fn create_admin(
    db: &Path,
    username: &str,
    display_name: &str,
    password: &str,
    now: Timestamp,
) -> anyhow::Result<StaffView> {
    if !auth::valid_username(username) {
        return Err(SetupError::BadUsername.into());
    }
    if !auth::valid_password(password) {
        return Err(SetupError::BadPassword.into());
    }
    let _lock = lock(db)?;
    let store = Store::open(db)?;
    if store.staff_exists(username)? {
        return Err(SetupError::Taken(username.to_owned()).into());
    }
    let view = StaffView {
        username: username.to_owned(),
        display_name: if display_name.trim().is_empty() {
            username.to_owned()
        } else {
            display_name.trim().to_owned()
        },
        role: Role::Admin,
        windows: Vec::new(),
        disabled: false,
    };
    let record = StaffRecord {
        view: view.clone(),
        password_hash: auth::hash_password(password)?,
    };
    let console = Actor {
        who: "console".to_owned(),
        address: None,
    };
    let entry = Record::staff(AuditAction::StaffCreated, username, audit::created(&view));
    store.begin()?;
    let written = store
        .insert_staff(&record, now)
        .and_then(|()| store.insert_audit(now, &console, &entry));
    match written {
        Ok(()) => store.commit()?,
        Err(e) => {
            store.rollback();
            return Err(e.into());
        }
    }
    Ok(view)
}
