//! Appointments (预约): registered by an administrator or an integration
//! (personal data masked before it is stored), listed for the guide desk,
//! and checked in at the kiosk, which issues their ticket.
//!
//! Unknown codes are counted per kiosk or clerk by the check-in limiter
//! (`Shared::check_ins`, `limit::CHECK_IN_POLICY`), so codes cannot be
//! tried one after another.

pub mod store;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lobby_core::api::{AppointmentView, NewAppointment, TicketView};
use lobby_core::{Appointment, Channel, Command, Issue, Lang, Priority, SiteId};

use crate::auth::Principal;
use crate::engine::Tx;
use crate::error::{ApiError, ErrorKind, pick};
use crate::http::extract::{Body, Caller, Param, Params};
use crate::http::openapi::{list, r};
use crate::http::query::{date_param, day_bounds};
use crate::http::{AppState, Op, Routes, json};
use crate::mask;

type Answer = Result<Response, ApiError>;

/// The appointments' routes.
pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/api/appointments",
        list_appointments,
        Op::new("A day's appointments by slot, personal data masked as stored (admins and the guide desk)")
            .auth()
            .query("date", "YYYY-MM-DD business day of the slot; today by default", crate::http::query::date_schema())
            .answer(200, Some(list("AppointmentView")))
            .errors(&[400, 503]),
    )
    .post(
        "/api/appointments",
        create_appointment,
        Op::new("Register an appointment; personal data is masked before it is stored (admin)")
            .auth()
            .body(r("NewAppointment"))
            .answer(201, Some(r("AppointmentView")))
            .errors(&[404, 409, 503])
            .link("check_in", "post", "/api/appointments/{code}/check-in", &[("code", "$response.body#/code")]),
    )
    .post(
        "/api/appointments/{code}/check-in",
        check_in,
        Op::new("Check an appointment in: issues its ticket (kiosk). Ten unknown codes from one kiosk or clerk within 15 minutes pause its check-ins for 5 (429)")
            .auth()
            .answer(201, Some(r("TicketView")))
            .errors(&[404, 409, 429, 503]),
    )
}

async fn create_appointment(
    State(s): State<AppState>,
    caller: Caller,
    Body(req): Body<NewAppointment>,
) -> Answer {
    caller.admin()?;
    let lang = caller.lang;
    // 64 characters as sent, as the message and the document say (not
    // bytes: a code may be Chinese), stored trimmed.
    let code = req.code.trim().to_owned();
    if code.is_empty()
        || req.code.chars().count() > 64
        || code.chars().any(char::is_control)
        || code.contains('/')
    {
        return Err(ApiError::invalid(
            "code",
            "bad_code",
            pick(
                lang,
                "预约号须为 1 至 64 个字符",
                "codes have 1 to 64 characters",
            ),
        ));
    }
    let Some(category) = s.hall.category(&req.category) else {
        return Err(ApiError::rejected(
            &lobby_core::Rejected::UnknownCategory {
                category: req.category,
            },
            lang,
            &s.hall,
        ));
    };
    if let Some(m) = &req.matter {
        match s.hall.matter(m) {
            None => {
                return Err(ApiError::rejected(
                    &lobby_core::Rejected::UnknownMatter { matter: m.clone() },
                    lang,
                    &s.hall,
                ));
            }
            Some(matter) if matter.category != category.id => {
                return Err(ApiError::rejected(
                    &lobby_core::Rejected::MatterNotInCategory {
                        matter: m.clone(),
                        category: category.id.clone(),
                        expected: matter.category.clone(),
                    },
                    lang,
                    &s.hall,
                ));
            }
            Some(_) => {}
        }
    }
    if req.slot_end <= req.slot_start {
        return Err(ApiError::invalid(
            "slot_end",
            "bad_slot",
            pick(
                lang,
                "预约时段的结束须晚于开始",
                "the slot must end after it starts",
            ),
        ));
    }
    let appointment = AppointmentView {
        code,
        category: req.category,
        matter: req.matter,
        slot_start: req.slot_start,
        slot_end: req.slot_end,
        name: mask::name(&req.name),
        phone: mask::phone(&req.phone),
        id_number: mask::id_number(&req.id_number),
        ticket: None,
    };
    let view = s
        .engine
        .write(lang, move |tx| register(tx, appointment, lang))
        .await?;
    Ok(json(StatusCode::CREATED, &view))
}

async fn list_appointments(State(s): State<AppState>, caller: Caller, Params(q): Params) -> Answer {
    caller.require(caller.principal.may_see_appointments())?;
    let lang = caller.lang;
    let date = date_param(&s, &q, lang)?;
    let (from, to) = day_bounds(&s.hall, date, "date", lang)?;
    let list = crate::store::read(&s.db_path, lang, "listing appointments", move |conn| {
        Ok(self::store::appointments_between(conn, from, to)?)
    })
    .await?;
    Ok(json(StatusCode::OK, &list))
}

async fn check_in(State(s): State<AppState>, caller: Caller, Param(code): Param) -> Answer {
    caller.require(caller.principal.may_issue())?;
    let lang = caller.lang;
    let site = match &caller.principal {
        Principal::Device { site, .. } => site.clone(),
        _ => None,
    };
    // Unknown codes are counted per kiosk or clerk, so codes cannot be
    // tried one after another (`limit::CHECK_IN_POLICY`).
    let who = match &caller.principal {
        Principal::Device { id, .. } => format!("device:{id}"),
        Principal::Staff { username, .. } => format!("staff:{username}"),
        Principal::Admin { .. } => String::new(),
    };
    let now = s.clock.now();
    let locked = (!who.is_empty())
        .then(|| s.check_ins().check(&who, None, now))
        .flatten();
    if let Some(locked) = locked {
        return Err(ApiError::too_many_check_ins(
            lang,
            &s.hall,
            locked.until,
            locked.retry_after_s(now),
        ));
    }
    let answer = s
        .engine
        .write(lang, move |tx| check_in_code(tx, &code, site, lang))
        .await;
    let ticket = match answer {
        Ok(ticket) => ticket,
        Err(e) => {
            if e.code == "unknown_appointment" && !who.is_empty() {
                s.check_ins().failed(&who, None, s.clock.now());
            }
            return Err(e);
        }
    };
    Ok(json(
        StatusCode::CREATED,
        &crate::queue::with_rating_key(&s, ticket),
    ))
}

/// Stores an appointment (already masked), unless its code is taken.
fn register(
    tx: &mut Tx<'_>,
    appointment: AppointmentView,
    lang: Lang,
) -> crate::store::Result<Result<AppointmentView, ApiError>> {
    if tx.store().insert_appointment(&appointment, tx.now())? {
        return Ok(Ok(appointment));
    }
    Ok(Err(ApiError::new(
        ErrorKind::Conflict,
        "appointment_exists",
        match lang {
            Lang::Zh => format!("预约号“{}”已存在", appointment.code),
            Lang::En => format!("appointment `{}` already exists", appointment.code),
        },
    )))
}

/// Issues an appointment's ticket, once, on its own business day.
fn check_in_code(
    tx: &mut Tx<'_>,
    code: &str,
    site: Option<SiteId>,
    lang: Lang,
) -> crate::store::Result<Result<TicketView, ApiError>> {
    let Some(a) = tx.store().appointment(code)? else {
        return Ok(Err(ApiError::new(
            ErrorKind::NotFound,
            "unknown_appointment",
            match lang {
                Lang::Zh => format!("没有找到预约号“{code}”"),
                Lang::En => format!("no appointment `{code}`"),
            },
        )));
    };
    if a.ticket.is_some() {
        return Ok(Err(ApiError::new(
            ErrorKind::Conflict,
            "already_checked_in",
            pick(
                lang,
                "该预约已经取过号了",
                "this appointment has already checked in",
            ),
        )));
    }
    if tx.hall().business_day(a.slot_start) != tx.hall().business_day(tx.now()) {
        return Ok(Err(ApiError::new(
            ErrorKind::Conflict,
            "appointment_not_today",
            pick(
                lang,
                "该预约不是今天的，请按预约日期前来",
                "this appointment is not for today",
            ),
        )));
    }
    let id = tx.new_ticket_id();
    let issue = Issue {
        id: id.clone(),
        site,
        category: a.category.clone(),
        matter: a.matter.clone(),
        priority: Priority::Normal,
        channel: Channel::Appointment,
        appointment: Some(Appointment {
            code: a.code.clone(),
            slot_start: a.slot_start,
            slot_end: a.slot_end,
        }),
        assisted: false,
        stops: Vec::new(),
    };
    Ok(match tx.command(Command::Issue(issue), lang)? {
        Ok(o) => {
            tx.store().set_appointment_ticket(code, &id)?;
            o.ticket.ok_or_else(|| ApiError::internal(lang))
        }
        Err(e) => Err(e),
    })
}
