//! What every handler can reach ([`Shared`], behind [`AppState`]): the
//! engine's handle, the accounts cache, the hall, and the few pieces of
//! state that live beside the engine rather than in it, each named for
//! what it is. None of them is a record of the hall: a restart forgets
//! them, and the database holds everything that must survive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::body::Bytes;
use lobby_core::Hall;
use lobby_core::api::DeviceStatusView;
use tokio::sync::{Semaphore, broadcast, watch};

use crate::auth::AuthCache;
use crate::clock::Clock;
use crate::engine::EngineHandle;
use crate::hub::Frame;
use crate::limit::FailureLimiter;
use crate::secret::TokenHash;

/// What every handler can reach.
pub struct Shared {
    /// Where handlers send their jobs.
    pub engine: EngineHandle,
    /// Accounts, sessions and devices as of the last commit (the engine
    /// reloads it before answering a change to them).
    pub auth: Arc<RwLock<AuthCache>>,
    /// Hash of `LOBBY_ADMIN_TOKEN`, when set.
    pub admin_token: Option<TokenHash>,
    /// The server's clock (fake in tests).
    pub clock: Arc<dyn Clock>,
    /// The hall configuration.
    pub hall: Arc<Hall>,
    /// `GET /api/hall`, serialized once.
    pub hall_json: Bytes,
    /// `GET /api/openapi.json`, serialized once from the routes served.
    pub openapi_json: Bytes,
    /// The database file, for report readers (their own connections).
    pub db_path: std::path::PathBuf,
    /// Devices' last reported state (paper out, offline …), in memory.
    pub device_reports: DeviceReports,
    /// Stream frames: device reports go out here beside the events.
    pub frames: broadcast::Sender<Arc<Frame>>,
    /// Flips to true when the server shuts down (closes WebSockets).
    pub shutdown: watch::Receiver<bool>,
    /// At most this many argon2 hashes at a time (each takes ~19 MiB).
    pub argon: Semaphore,
    /// Failed logins by account and address (`limit::Policy::default`).
    pub logins: Mutex<FailureLimiter>,
    /// Unknown appointment codes per kiosk or clerk
    /// (`limit::CHECK_IN_POLICY`).
    pub check_ins: Mutex<FailureLimiter>,
    /// The key of ticket rating links (`secret::rating_key`), kept in the
    /// database.
    pub rating_secret: [u8; 32],
}

impl Shared {
    /// The login limiter (a poisoned lock still holds whole records).
    pub fn logins(&self) -> MutexGuard<'_, FailureLimiter> {
        self.logins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The check-in limiter.
    pub fn check_ins(&self) -> MutexGuard<'_, FailureLimiter> {
        self.check_ins.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The accounts cache (a poisoned lock still holds a whole cache: the
    /// engine replaces it whole).
    pub fn accounts(&self) -> std::sync::RwLockReadGuard<'_, AuthCache> {
        self.auth.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// The router's state.
pub type AppState = Arc<Shared>;

/// Each device's last reported state, by device id.
#[derive(Debug, Default)]
pub struct DeviceReports(Mutex<HashMap<i64, DeviceStatusView>>);

impl DeviceReports {
    fn map(&self) -> MutexGuard<'_, HashMap<i64, DeviceStatusView>> {
        // A poisoned lock still holds whole reports.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A device's last report.
    pub fn get(&self, device: i64) -> Option<DeviceStatusView> {
        self.map().get(&device).cloned()
    }

    /// Keeps a report; true when it says something new.
    pub fn put(&self, view: DeviceStatusView) -> bool {
        let mut map = self.map();
        let changed = map
            .get(&view.device)
            .is_none_or(|old| old.status != view.status || old.detail != view.detail);
        map.insert(view.device, view);
        changed
    }

    /// Forgets a device (it was removed).
    pub fn forget(&self, device: i64) {
        self.map().remove(&device);
    }
}
