//! Devices: kiosks, wall displays and guide desks, each with its own token
//! (registered and revoked by an administrator), and the state they report
//! (paper out, printer offline …) shown on the admin page and the stream.
//!
//! The tokens live with the accounts (`crate::auth`, table `devices`); the
//! reported state is `crate::state::DeviceReports`, in memory only: a
//! device reports again when it changes, and a restart starts with none.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lobby_core::api::{
    AuditAction, DeviceStatusRequest, DeviceStatusView, DeviceView, NewDevice, NewDeviceAnswer,
    StreamMessage,
};
use lobby_core::{Lang, SiteId};

use crate::audit::{self, Actor, Record};
use crate::auth::store::kind_name;
use crate::auth::{DeviceRecord, Principal};
use crate::engine::Tx;
use crate::error::{ApiError, ErrorKind, pick};
use crate::http::extract::{Body, Caller, ClientAddr, Param};
use crate::http::openapi::{list, r};
use crate::http::{AppState, Op, Routes, json};
use crate::secret::TokenHash;
use crate::{mask, secret, store};

type Answer = Result<Response, ApiError>;

/// The devices' routes.
pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/devices",
            list_devices,
            Op::new("Devices with their last reported state (admin)")
                .auth()
                .answer(200, Some(list("DeviceView"))),
        )
        .post(
            "/api/devices",
            create_device,
            Op::new("Register a device; its token is shown only here (admin)")
                .auth()
                .body(r("NewDevice"))
                .answer(201, Some(r("NewDeviceAnswer")))
                .errors(&[404, 503])
                .link(
                    "delete",
                    "delete",
                    "/api/devices/{id}",
                    &[("id", "$response.body#/device/id")],
                ),
        )
        .delete(
            "/api/devices/{id}",
            delete_device,
            Op::new("Remove a device (admin)")
                .auth()
                .path(
                    "id",
                    serde_json::json!({ "type": "integer", "format": "int64" }),
                )
                .answer(204, None)
                .errors(&[404, 503]),
        )
        .post(
            "/api/devices/self/status",
            report_status,
            Op::new("A device reports its state (printer paper end …); broadcast on the stream")
                .auth()
                .body(r("DeviceStatusRequest"))
                .answer(200, Some(r("DeviceStatusView"))),
        )
}

fn device_view(s: &AppState, d: &DeviceRecord) -> DeviceView {
    DeviceView {
        id: d.id,
        name: d.name.clone(),
        kind: d.kind,
        site: d.site.clone(),
        created_at: d.created_at,
        status: s.device_reports.get(d.id),
    }
}

async fn list_devices(State(s): State<AppState>, caller: Caller) -> Answer {
    caller.admin()?;
    let records: Vec<DeviceRecord> = s.accounts().device_list().into_iter().cloned().collect();
    let list: Vec<DeviceView> = records.iter().map(|d| device_view(&s, d)).collect();
    Ok(json(StatusCode::OK, &list))
}

async fn create_device(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Body(req): Body<NewDevice>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    // At most 64 characters as sent (the document's `maxLength`), and
    // something besides white space.
    if req.name.trim().is_empty()
        || req.name.chars().count() > 64
        || req.name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "name",
            "bad_name",
            pick(
                lang,
                "设备名称须为 1 至 64 个字符",
                "device names have 1 to 64 characters",
            ),
        ));
    }
    if let Some(site) = &req.site
        && s.hall.site(site).is_none()
    {
        return Err(ApiError::rejected(
            &lobby_core::Rejected::UnknownSite { site: site.clone() },
            lang,
            &s.hall,
        )
        .with_field("site"));
    }
    let token = secret::token("lbd");
    let hash = TokenHash::of(&token);
    let actor = Actor::of(&caller.principal, address);
    let record = s
        .engine
        .write(lang, move |tx| register(tx, &actor, req, hash))
        .await?;
    Ok(json(
        StatusCode::CREATED,
        &NewDeviceAnswer {
            device: device_view(&s, &record),
            token,
        },
    ))
}

/// Stores a new device and its token's hash, audited.
fn register(
    tx: &mut Tx<'_>,
    actor: &Actor,
    device: NewDevice,
    token: TokenHash,
) -> store::Result<Result<DeviceRecord, ApiError>> {
    let now = tx.now();
    let id = tx.store().insert_device(
        &device.name,
        device.kind,
        device.site.as_ref().map(SiteId::as_str),
        &token.0,
        now,
    )?;
    let mut changes = vec![
        audit::set("name", device.name.clone()),
        audit::set("kind", kind_name(device.kind)),
    ];
    if let Some(site) = &device.site {
        changes.push(audit::set("site", site.as_str()));
    }
    tx.store().insert_audit(
        now,
        actor,
        &Record::device(AuditAction::DeviceCreated, id, changes),
    )?;
    tx.accounts_changed();
    tracing::info!(id, kind = ?device.kind, "device registered");
    Ok(Ok(DeviceRecord {
        id,
        name: device.name,
        kind: device.kind,
        site: device.site,
        created_at: now,
        token_hash: token.0,
    }))
}

async fn delete_device(
    State(s): State<AppState>,
    caller: Caller,
    ClientAddr(address): ClientAddr,
    Param(id): Param,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            ErrorKind::NotFound,
            "unknown_device",
            pick(lang, "没有这个设备", "no such device"),
        )
    })?;
    let actor = Actor::of(&caller.principal, address);
    s.engine
        .write(lang, move |tx| revoke(tx, &actor, id, lang))
        .await?;
    s.device_reports.forget(id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a device: its token stops working after the commit.
fn revoke(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> store::Result<Result<(), ApiError>> {
    if !tx.store().delete_device(id)? {
        return Ok(Err(ApiError::new(
            ErrorKind::NotFound,
            "unknown_device",
            match lang {
                Lang::Zh => format!("没有编号为 {id} 的设备"),
                Lang::En => format!("no device {id}"),
            },
        )));
    }
    tx.store().insert_audit(
        tx.now(),
        actor,
        &Record::device(AuditAction::DeviceRevoked, id, Vec::new()),
    )?;
    tx.accounts_changed();
    tracing::info!(id, "device removed");
    Ok(Ok(()))
}

async fn report_status(
    State(s): State<AppState>,
    caller: Caller,
    Body(req): Body<DeviceStatusRequest>,
) -> Answer {
    let lang = caller.lang;
    let Principal::Device { id, kind, site } = caller.principal else {
        return Err(ApiError::forbidden(lang));
    };
    if req.detail.chars().count() > 200 {
        return Err(ApiError::invalid(
            "detail",
            "bad_detail",
            pick(
                lang,
                "说明最多 200 个字符",
                "detail has at most 200 characters",
            ),
        ));
    }
    let name = s
        .accounts()
        .device_list()
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let view = DeviceStatusView {
        device: id,
        name,
        kind,
        site,
        status: req.status,
        detail: mask::free_text(&req.detail),
        at: s.clock.now(),
    };
    if s.device_reports.put(view.clone()) {
        tracing::info!(device = id, status = ?view.status, "device status");
        let _ = s
            .frames
            .send(crate::hub::device_frame(&StreamMessage::Device {
                device: view.clone(),
            }));
    }
    Ok(json(StatusCode::OK, &view))
}
