//! The OpenAPI 3 document of the API (`GET /api/openapi.json`), written by
//! hand: it costs no build time and says exactly what the handlers do.
//! Each feature gives its routes' operations ([`Op`]) where it registers
//! them (`Routes::get(path, handler, op)`), so the document lists exactly
//! the routes the server serves; the shared schemas are here.

use serde_json::{Value, json};

/// A reference to a schema of the document.
pub fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// An array of a schema.
pub fn list(name: &str) -> Value {
    json!({ "type": "array", "items": r(name) })
}

fn error(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": r("ErrorBody") } }
    })
}

/// What an operation takes and gives.
#[derive(Debug)]
pub struct Op {
    summary: &'static str,
    description: Option<&'static str>,
    auth: bool,
    body: Option<Value>,
    /// Whether the body may be left out (an empty body reads as `{}`).
    body_optional: bool,
    ok: u16,
    /// Further success answers (call's 204).
    also: Vec<(u16, Option<Value>)>,
    answer: Option<Value>,
    errors: &'static [u16],
    /// Parameters besides the path's plain-string ones, as OpenAPI objects.
    params: Vec<Value>,
    /// Path parameters whose schema is not a plain string.
    path_schemas: Vec<(&'static str, Value)>,
    /// OpenAPI links from the success answer, by name.
    links: Vec<(&'static str, Value)>,
}

impl Op {
    /// An operation answering 200 with no body, open to anyone.
    pub fn new(summary: &'static str) -> Op {
        Op {
            summary,
            description: None,
            auth: false,
            body: None,
            body_optional: false,
            ok: 200,
            also: Vec::new(),
            answer: None,
            errors: &[],
            params: Vec::new(),
            path_schemas: Vec::new(),
            links: Vec::new(),
        }
    }

    /// A longer explanation than the summary: why it answers as it does.
    pub fn describe(mut self, description: &'static str) -> Op {
        self.description = Some(description);
        self
    }

    /// Needs a bearer token (adds 401 and 403).
    pub fn auth(mut self) -> Op {
        self.auth = true;
        self
    }

    /// Takes a JSON body (adds 400 and 422).
    pub fn body(mut self, schema: Value) -> Op {
        self.body = Some(schema);
        self
    }

    /// Takes a JSON body whose fields are all optional, so that no body at
    /// all (read as `{}`) will do.
    pub fn optional_body(mut self, schema: Value) -> Op {
        self.body = Some(schema);
        self.body_optional = true;
        self
    }

    /// Its success status and body.
    pub fn answer(mut self, status: u16, schema: Option<Value>) -> Op {
        self.ok = status;
        self.answer = schema;
        self
    }

    /// Another success status it may answer, and its body.
    pub fn also(mut self, status: u16, schema: Option<Value>) -> Op {
        self.also.push((status, schema));
        self
    }

    /// The error statuses it may answer.
    pub fn errors(mut self, errors: &'static [u16]) -> Op {
        self.errors = errors;
        self
    }

    /// An optional query parameter and what its values must look like.
    pub fn query(mut self, name: &'static str, description: &'static str, schema: Value) -> Op {
        self.params.push(json!({
            "name": name, "in": "query", "required": false,
            "description": description, "schema": schema
        }));
        self
    }

    /// A header the request cannot do without.
    pub fn required_header(
        mut self,
        name: &'static str,
        description: &'static str,
        schema: Value,
    ) -> Op {
        self.params.push(json!({
            "name": name, "in": "header", "required": true,
            "description": description, "schema": schema
        }));
        self
    }

    /// Takes an optional `Idempotency-Key` header (see
    /// `queue::idempotency`): a retry with the same key answers the first
    /// outcome.
    pub fn idempotent(mut self) -> Op {
        self.params.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "A fresh key per action (e.g. a UUID). A retry with the same key, after a lost answer or a 503 storage_unconfirmed, answers the first outcome instead of acting twice; kept 48 hours; the same key for another caller or action is refused (409 idempotency_key_reused).",
            "schema": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9._:-]+$" }
        }));
        self
    }

    /// The schema of a path parameter that is not any string (a window's
    /// number, a device's id).
    pub fn path(mut self, name: &'static str, schema: Value) -> Op {
        self.path_schemas.push((name, schema));
        self
    }

    /// A link from the success answer to the operation `method path`,
    /// whose parameters are `(name, runtime expression)`: what a client
    /// can do next with what it got (`$response.body#/id`,
    /// `$request.path.number`).
    pub fn link(
        mut self,
        name: &'static str,
        method: &'static str,
        path: &'static str,
        parameters: &[(&'static str, &'static str)],
    ) -> Op {
        let pointer = path.replace('~', "~0").replace('/', "~1");
        let parameters: serde_json::Map<String, Value> = parameters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        self.links.push((
            name,
            json!({
                "operationRef": format!("#/paths/{pointer}/{method}"),
                "parameters": parameters
            }),
        ));
        self
    }

    fn build(&self, path: &str) -> Value {
        let mut responses = serde_json::Map::new();
        let success = |answer: &Option<Value>| match answer {
            Some(schema) => json!({
                "description": "OK",
                "content": { "application/json": { "schema": schema } }
            }),
            None => json!({ "description": "OK, no body" }),
        };
        let mut ok = success(&self.answer);
        if !self.links.is_empty() {
            let links: serde_json::Map<String, Value> = self
                .links
                .iter()
                .map(|(name, link)| ((*name).to_owned(), link.clone()))
                .collect();
            ok["links"] = Value::Object(links);
        }
        responses.insert(self.ok.to_string(), ok);
        for (status, answer) in &self.also {
            responses.insert(status.to_string(), success(answer));
        }
        let mut errors: Vec<u16> = self.errors.to_vec();
        if self.auth {
            errors.extend([401, 403]);
        }
        if self.body.is_some() {
            // 413 too: bodies are read up to `extract::BODY_LIMIT`.
            errors.extend([400, 413, 422]);
        }
        errors.sort_unstable();
        errors.dedup();
        for code in errors {
            let text = match code {
                400 => "Malformed request (bad JSON, bad query)",
                401 => "No valid bearer token",
                403 => "The token may not do this (e.g. a window not assigned to the staff member)",
                404 => "No such ticket, window, category, …",
                409 => "The state does not allow it now (window busy, hall closed, …)",
                413 => "The body is larger than 64 KiB",
                422 => "Invalid field values; `field` names the one at fault",
                429 => {
                    "Too many failed logins; `Retry-After` gives the seconds to wait and the message the time"
                }
                503 => {
                    "Not stored: `storage_unavailable` (nothing changed, retry) or `storage_unconfirmed` (the commit failed and the change may be stored: retry with the same Idempotency-Key), or `shutting_down`"
                }
                _ => "Error",
            };
            responses.insert(code.to_string(), error(text));
        }
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| {
                let name = name.trim_start_matches('*');
                let schema = self
                    .path_schemas
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or_else(string, |(_, s)| s.clone());
                json!({ "name": name, "in": "path", "required": true, "schema": schema })
            })
            .collect();
        params.extend(self.params.iter().cloned());
        params.push(json!({
            "name": "Accept-Language", "in": "header", "required": false,
            "description": "`en` for English messages; Chinese by default",
            "schema": { "type": "string" }
        }));
        let mut op = json!({
            "summary": self.summary,
            "parameters": params,
            "responses": responses,
        });
        if let Some(d) = self.description {
            op["description"] = json!(d);
        }
        if self.auth {
            op["security"] = json!([{ "bearer": [] }]);
        }
        if let Some(schema) = &self.body {
            op["requestBody"] = json!({
                "required": !self.body_optional,
                "content": { "application/json": { "schema": schema } }
            });
        }
        op
    }
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn int() -> Value {
    json!({ "type": "integer" })
}

fn time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn nullable(v: Value) -> Value {
    let mut v = v;
    v["nullable"] = json!(true);
    v
}

fn values(names: &[&str]) -> Value {
    json!({ "type": "string", "enum": names })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

/// A request body: its fields and no others (the server refuses unknown
/// fields with 422 naming them).
fn request(required: &[&str], properties: Value) -> Value {
    let mut v = object(required, properties);
    v["additionalProperties"] = json!(false);
    v
}

/// The characters `char::is_control` finds (Unicode's Cc), as the inside
/// of a regex character class.
const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";

/// Text of at most `max` characters, none of them control characters.
fn text(max: u32) -> Value {
    json!({ "type": "string", "maxLength": max, "pattern": format!("^[^{CONTROL}]*$") })
}

/// Like [`text`], with at least one character that is not white space (the
/// server trims before it checks that something is left).
fn filled(max: u32) -> Value {
    json!({
        "type": "string", "minLength": 1, "maxLength": max,
        "pattern": format!("^[^{CONTROL}]*[^\\s{CONTROL}][^{CONTROL}]*$")
    })
}

/// A password as `auth::valid_password` takes it: 8 to 256 characters,
/// none of them control or invisible ones.
fn password() -> Value {
    let invisible = "\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufff8";
    json!({
        "type": "string", "format": "password", "minLength": 8, "maxLength": 256,
        "pattern": format!("^[^{CONTROL}{invisible}]*$"),
        "description": "8 to 256 characters; no control characters, no invisible ones (zero-width spaces and joiners, direction marks, soft hyphens)"
    })
}

fn schemas() -> Value {
    let status = values(&[
        "waiting",
        "called",
        "serving",
        "completed",
        "no_show",
        "expired",
        "cancelled",
    ]);
    let lane = values(&["normal", "green"]);
    let channel = values(&["kiosk", "guide_desk", "appointment", "online"]);
    let rating = values(&[
        "very_satisfied",
        "satisfied",
        "neutral",
        "dissatisfied",
        "very_dissatisfied",
    ]);
    let role = values(&["staff", "guide", "admin"]);
    let device_kind = values(&["kiosk", "display", "guide_desk", "evaluator"]);
    let health = values(&[
        "ok",
        "paper_low",
        "paper_end",
        "cover_open",
        "printer_offline",
        "fault",
    ]);
    // Nested in an issue request; unknown fields in it are ignored.
    let appointment = object(
        &["code", "slot_start", "slot_end"],
        json!({
            "code": string(), "slot_start": time(), "slot_end": time()
        }),
    );
    let window_figures = object(
        &[],
        json!({
            "called": int(), "completed": int(), "no_shows": int(), "transferred": int(), "service_s": int()
        }),
    );
    let category_report = object(
        &[],
        json!({
            "category": string(), "name": string(), "issued": int(), "green": int(), "called": int(),
            "completed": int(), "no_shows": int(), "expired": int(), "cancelled": int(),
            "mean_wait_s": int(), "max_wait_s": int()
        }),
    );
    let mut all = json!({
        "ErrorBody": object(&["error"], json!({
            "error": object(&["code", "message"], json!({
                "code": { "type": "string", "description": "stable machine-readable code (unknown_category, window_busy, …)" },
                "message": { "type": "string", "description": "for a person, Chinese unless Accept-Language asks for English" },
                "field": { "type": "string", "description": "the request field at fault, when one is" }
            }))
        })),
        "Health": object(&["status"], json!({ "status": string() })),
        "Hall": object(&["centre", "sites", "categories", "windows", "matters", "sessions"], json!({
            "centre": { "type": "object" },
            "policy": { "type": "object" },
            "calendar": { "type": "object" },
            "sites": { "type": "array", "items": object(&["id", "name", "kind"], json!({
                "id": string(), "name": string(), "name_en": string(), "kind": string(),
                "parent": nullable(string()), "address": string(), "phone": string()
            })) },
            "categories": { "type": "array", "items": object(&["id", "prefix", "name"], json!({
                "id": string(), "prefix": string(), "name": string(), "name_en": string(),
                "description": string(), "site": string(), "area": string(),
                "daily_quota": nullable(int()), "service_min": { "type": "number" }
            })) },
            "windows": { "type": "array", "items": object(&["number", "categories", "primary"], json!({
                "number": int(), "site": string(),
                "categories": { "type": "array", "items": string(), "description": "ids served, primary first" },
                "primary": { "type": "integer", "description": "how many of categories are primary" },
                "label": string(), "department": string()
            })) },
            "matters": { "type": "array", "items": object(&["id", "name", "category"], json!({
                "id": string(), "name": string(), "name_en": string(), "category": string(),
                "kind": string(), "materials": { "type": "array", "items": { "type": "object" } },
                "promised_days": int(), "fee": string()
            })) },
            "green_groups": { "type": "array", "items": object(&["id", "name"], json!({ "id": string(), "name": string(), "name_en": string() })) },
            "sessions": { "type": "array", "items": { "type": "object" } }
        })),
        "IssueRequest": request(&["category"], json!({
            "category": string(),
            "priority": lane.clone(),
            "group": nullable(json!({ "type": "string", "description": "green-channel group; the first configured one by default" })),
            "matter": nullable(string()),
            "channel": nullable(channel.clone()),
            "site": nullable(string()),
            "assisted": { "type": "boolean" },
            "stops": { "type": "array", "items": string(), "maxItems": 10, "uniqueItems": true, "description": "other categories of the same site, not the ticket's own" },
            "appointment": nullable(appointment.clone())
        })),
        "TicketView": object(&["id", "number", "category", "priority", "status", "ahead", "estimated_wait_s"], json!({
            "id": { "type": "string", "description": "128 random bits; key of /t/{id}" },
            "number": { "type": "string", "example": "B023" },
            "category": string(), "category_name": string(),
            "matter": nullable(string()), "matter_name": nullable(string()),
            "priority": lane.clone(), "group": nullable(string()), "channel": channel.clone(),
            "assisted": { "type": "boolean" }, "site": string(), "area": string(),
            "status": status.clone(), "window": nullable(int()),
            "ahead": int(), "estimated_wait_s": int(),
            "issued_at": time(), "called_at": nullable(time()),
            "stops": { "type": "array", "items": string() },
            "rating": nullable(rating.clone()),
            "rating_key": { "type": "string", "description": "only in the issue and check-in answers: the key of the ticket's rating link, printed in its QR code as /t/{id}#k={rating_key}" }
        })),
        "CallRequest": request(&[], json!({ "ticket": nullable(json!({
            "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$",
            "description": "call this ticket instead of the next one; null or absent: the next one"
        })) })),
        "TransferRequest": {
            "type": "object", "additionalProperties": false, "minProperties": 1, "maxProperties": 1,
            "description": "exactly one of category and window (neither null)",
            "properties": { "category": string(), "window": r("WindowNo") }
        },
        "PauseRequest": request(&["reason"], json!({ "reason": filled(100) })),
        "RatingRequest": request(&["rating"], json!({
            "rating": rating.clone(),
            "comment": nullable(json!({ "type": "string", "maxLength": 200, "description": "the visitor's words; phone and ID numbers are masked before it is stored; shown to administrators only" }))
        })),
        "BadRating": object(&["at", "number", "category", "rating"], json!({
            "at": time(), "number": string(), "category": string(), "window": nullable(int()),
            "staff": nullable(string()), "staff_name": nullable(string()),
            "rating": rating.clone(), "comment": nullable(string())
        })),
        "CurrentTicket": object(&["id", "number", "category", "status"], json!({
            "id": { "type": "string", "description": "empty without a token" },
            "number": string(), "category": string(), "matter": nullable(string()),
            "status": status.clone(), "green": { "type": "boolean" }, "assisted": { "type": "boolean" },
            "issued_at": time(), "called_at": nullable(time()), "started_at": nullable(time()), "recalls": int()
        })),
        "WindowView": object(&["number", "categories", "open"], json!({
            "number": int(), "site": string(), "categories": { "type": "array", "items": string() },
            "primary": int(), "open": { "type": "boolean" }, "staff": nullable(string()), "paused": nullable(string()),
            "paused_at": nullable(time()), "current": nullable(r("CurrentTicket")),
            "waiting_here": int(), "today": window_figures
        })),
        "WindowAnswer": object(&["window"], json!({ "window": r("WindowView"), "ticket": nullable(r("TicketView")) })),
        "QueueView": object(&["at", "categories", "windows"], json!({
            "day": nullable(json!({ "type": "string", "format": "date" })),
            "at": time(),
            "categories": { "type": "array", "items": object(&["category", "waiting", "longest_wait_s"], json!({
                "category": string(), "name": string(), "prefix": string(), "site": string(),
                "waiting": int(), "green": int(), "longest_wait_s": int(), "estimated_wait_s": int(),
                "issued": int(), "completed": int(), "no_shows": int(), "expired": int(), "mean_wait_s": int()
            })) },
            "windows": list("WindowView")
        })),
        "Event": { "type": "object", "required": ["at", "type"], "description": "a core event: `type` is issued, called, recalled, started, completed, no_show, reactivated, transferred, cancelled, expired, window_opened, window_closed, paused, resumed, yellow_card, rated, day_changed or site_closed; the other fields depend on it", "properties": { "at": time(), "type": string() }, "additionalProperties": true },
        "StreamMessage": { "type": "object", "required": ["kind"], "description": "kind `snapshot` {seq, queue: QueueView, recent_calls: [Event]}, `event` {seq, event: Event} or `device` {device: DeviceStatusView}", "properties": {
            "kind": values(&["snapshot", "event", "device"]), "seq": int(), "queue": r("QueueView"),
            "recent_calls": list("Event"), "event": r("Event"), "device": r("DeviceStatusView")
        } },
        "LoginRequest": request(&["username", "password"], json!({ "username": string(), "password": { "type": "string", "format": "password" } })),
        "LoginAnswer": object(&["token", "expires_at", "staff"], json!({ "token": string(), "expires_at": time(), "staff": r("StaffView") })),
        "StaffView": object(&["username", "display_name", "role", "windows", "disabled"], json!({
            "username": string(), "display_name": string(), "role": role.clone(),
            "windows": { "type": "array", "items": int() }, "disabled": { "type": "boolean" }
        })),
        "NewStaff": request(&["username", "password"], json!({
            "username": { "type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$" },
            "display_name": { "allOf": [text(64)], "description": "the username when empty or absent" },
            "password": password(),
            "role": role.clone(), "windows": { "type": "array", "items": r("WindowNo") }
        })),
        "StaffPatch": {
            "type": "object", "additionalProperties": false,
            "description": "only the fields given change; none may be null (leave a field out to keep it)",
            "properties": {
                "display_name": text(64), "password": password(), "role": role.clone(),
                "windows": { "type": "array", "items": r("WindowNo") }, "disabled": { "type": "boolean" }
            }
        },
        "Me": object(&["kind"], json!({
            "kind": values(&["admin", "staff", "device"]), "username": nullable(string()), "role": nullable(role.clone()),
            "windows": { "type": "array", "items": int() }, "device": nullable(int()), "device_kind": nullable(device_kind.clone())
        })),
        "NewDevice": request(&["name", "kind"], json!({ "name": filled(64), "kind": device_kind.clone(), "site": nullable(string()) })),
        "DeviceStatusRequest": request(&["status"], json!({ "status": health.clone(), "detail": { "type": "string", "maxLength": 200 } })),
        "DeviceStatusView": object(&["device", "name", "kind", "status", "at"], json!({
            "device": int(), "name": string(), "kind": device_kind.clone(), "site": nullable(string()),
            "status": health.clone(), "detail": string(), "at": time()
        })),
        "DeviceView": object(&["id", "name", "kind", "created_at"], json!({
            "id": int(), "name": string(), "kind": device_kind.clone(), "site": nullable(string()),
            "created_at": time(), "status": nullable(r("DeviceStatusView"))
        })),
        "NewDeviceAnswer": object(&["device", "token"], json!({ "device": r("DeviceView"), "token": { "type": "string", "description": "shown only once" } })),
        "NewAppointment": request(&["code", "category", "slot_start", "slot_end"], json!({
            "code": {
                "type": "string", "minLength": 1, "maxLength": 64,
                "pattern": format!("^[^{CONTROL}/]*[^\\s{CONTROL}/][^{CONTROL}/]*$"),
                "description": "1 to 64 characters, no control characters or `/`; stored trimmed"
            },
            "category": string(), "matter": nullable(string()),
            "slot_start": time(), "slot_end": time(),
            "name": { "type": "string", "description": "stored masked: 张*明" },
            "phone": { "type": "string", "description": "stored masked: 138****5678" },
            "id_number": { "type": "string", "description": "stored masked, never in clear" }
        })),
        "AppointmentView": object(&["code", "category", "slot_start", "slot_end"], json!({
            "code": string(), "category": string(), "matter": nullable(string()),
            "slot_start": time(), "slot_end": time(), "name": string(), "phone": string(),
            "id_number": string(), "ticket": nullable(string())
        })),
        "WindowReport": object(&["window"], json!({
            "window": int(), "called": int(), "completed": int(), "mean_service_s": int(),
            "no_shows": int(), "transferred": int(), "ratings": int(),
            "mean_rating": nullable(json!({ "type": "number" })), "bad_ratings": int(),
            "yellow_cards": int(), "rank": nullable(int())
        })),
        "StaffReport": object(&["username", "name", "windows"], json!({
            "username": string(), "name": string(), "windows": { "type": "array", "items": int() },
            "called": int(), "completed": int(), "mean_service_s": int(),
            "no_shows": int(), "transferred": int(), "ratings": int(),
            "mean_rating": nullable(json!({ "type": "number" })), "bad_ratings": int(),
            "yellow_cards": int(), "rank": nullable(int())
        })),
        "DayReport": object(&["date", "total", "categories", "windows"], json!({
            "date": { "type": "string", "format": "date" },
            "total": category_report.clone(),
            "categories": { "type": "array", "items": category_report },
            "windows": list("WindowReport"),
            "channels": object(&[], json!({ "kiosk": int(), "guide_desk": int(), "appointment": int(), "online": int() })),
            "waiting_cards": int(),
            "staff": list("StaffReport"),
            "bad_ratings": { "type": "array", "items": r("BadRating"), "description": "administrators only: the day's 不满意 and 非常不满意 ratings to follow up" }
        })),
        "AcceptedFigures": object(&["category", "name", "accepted", "window", "online", "online_completed"], json!({
            "category": { "type": "string", "description": "empty on the total line" }, "name": string(),
            "accepted": int(), "window": int(), "online": int(), "online_completed": int(),
            "online_completion_pct": nullable(json!({ "type": "number" }))
        })),
        "PeriodReport": object(&["from", "to", "total", "categories"], json!({
            "from": { "type": "string", "format": "date" }, "to": { "type": "string", "format": "date" },
            "total": r("AcceptedFigures"), "categories": list("AcceptedFigures")
        })),
        "Ranking": object(&["month", "rule", "windows"], json!({ "month": string(), "rule": string(), "windows": list("WindowReport"), "staff": list("StaffReport") })),
        "ClockRequest": request(&[], json!({ "advance_s": nullable(int()), "set": nullable(time()) })),
        "ClockAnswer": object(&["now", "events"], json!({ "now": time(), "events": int() }))
    });
    // Added apart: one `json!` of every schema exceeds the macro's recursion limit.
    all["AuditEntry"] = audit_entry();
    all["AuditPage"] = audit_page();
    all
}

fn audit_entry() -> Value {
    object(
        &["id", "at", "local_time", "actor", "action", "changes"],
        json!({
            "id": int(), "at": time(),
            "local_time": { "type": "string", "description": "in the hall's time zone with its offset: 2026-11-25T09:00:00+08:00" },
            "actor": { "type": "string", "description": "admin-token, staff:NAME, device:ID or anonymous (failed login)" },
            "action": values(&["login", "login_failed", "logout", "staff_created", "staff_updated", "windows_assigned", "password_reset", "staff_deleted", "device_created", "device_revoked"]),
            "target": nullable(json!({ "type": "string", "description": "staff:NAME or device:ID; a failed login names only existing accounts" })),
            "address": nullable(string()),
            "changes": { "type": "array", "items": object(&["field"], json!({ "field": string(), "from": string(), "to": string() })) }
        }),
    )
}

fn audit_page() -> Value {
    object(
        &["date", "entries"],
        json!({
            "date": { "type": "string", "format": "date" },
            "entries": list("AuditEntry"),
            "next": nullable(json!({ "type": "integer", "description": "pass as `after` for the next page; null on the last" }))
        }),
    )
}

/// The document's description: the authentication model and who may do
/// what (least privilege), as the handlers enforce it.
const SECURITY_NOTES: &str = "Queue and window routing for a government service hall. \
Every mutating request needs `Authorization: Bearer TOKEN`: a device token (kiosk, display, guide desk; made by an administrator), a staff session from /api/login, or LOBBY_ADMIN_TOKEN. \
The token goes in the header; only /api/events also takes `?token=`, since a browser's WebSocket cannot send headers. \
Who may do what: kiosks issue tickets (kiosk channel) and check appointments in; they may not mark a ticket assisted (帮办代办), rate tickets or read reports. \
Displays only read (the queue, the posted ranking, the stream). \
Guide-desk devices and guide staff issue (guide-desk or online channel), mark tickets assisted, cancel and re-activate any ticket, rate on a visitor's behalf and list appointments. \
Window staff act only on the windows assigned to them, and cancel or re-activate only tickets their windows serve; they may not rate (ratings rank them). \
Staff accounts read the day and period reports; only administrators see the staff lines and visitors' comments in them, and manage accounts, devices, appointments and the audit trail. \
The visitor rates their own ticket with the rating key from its QR code as the bearer token. \
Every error is `{\"error\": {\"code\", \"message\", \"field\"?}}` with a 4xx status (503 when a change could not be stored); messages are Chinese unless `Accept-Language: en`.";

/// A window's number: one of the hall's (`GET /api/hall`), since the
/// server refuses any other (404 in a path or a transfer, 422 in a staff
/// account's windows).
fn window_no(hall: &lobby_core::Hall) -> Value {
    let numbers: Vec<u32> = hall.windows.iter().map(|w| w.number.0).collect();
    json!({ "type": "integer", "enum": numbers, "description": "one of the hall's window numbers" })
}

/// The whole document, for these routes and this hall.
pub fn document(routes: &super::Routes, hall: &lobby_core::Hall) -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, op) in &routes.list {
        let key = path.replace("{*", "{");
        let entry = paths.entry(key.clone()).or_insert_with(|| json!({}));
        entry[*method] = op.build(&key);
    }
    let mut schemas = schemas();
    schemas["WindowNo"] = window_no(hall);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Lobby server API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": SECURITY_NOTES
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_resolves() {
        let hall = crate::builtin_hall().expect("the built-in hall loads");
        let doc = document(&crate::app::routes(true), &hall);
        let text = doc.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"][&name].is_object(),
                "missing schema {name}"
            );
        }
    }

    #[test]
    fn the_test_clock_is_documented_only_when_served() {
        let hall = crate::builtin_hall().expect("the built-in hall loads");
        let with = document(&crate::app::routes(true), &hall);
        let without = document(&crate::app::routes(false), &hall);
        assert!(with["paths"]["/api/test/clock"]["post"].is_object());
        assert!(without["paths"].get("/api/test/clock").is_none());
        assert!(without["paths"]["/api/tickets"]["post"].is_object());
    }
}
