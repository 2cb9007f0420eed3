//! The staff, admin and public pages: files embedded at build time from
//! `assets/web/` (see `build.rs`). Until a page exists there, a Chinese
//! placeholder stands in for it, so the pages' engineer only adds files.
//!
//! - `/` → `index.html`, `/window` → `window.html`, `/admin` →
//!   `admin.html`, `/t/{id}` → `ticket.html` (the public status page behind
//!   a ticket's QR code; it reads the id from its address).
//! - `/assets/{path}` → any embedded file (scripts, styles, fonts).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::http::extract::{L, Param};
use crate::http::{Op, Routes};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// The pages' routes.
pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/", index, Op::new("Start page (HTML)").answer(200, None))
        .get(
            "/window",
            window,
            Op::new("Window staff page (HTML)").answer(200, None),
        )
        .get(
            "/admin",
            admin,
            Op::new("Admin page (HTML)").answer(200, None),
        )
        .get(
            "/t/{id}",
            ticket,
            Op::new("Public ticket status page behind the QR code (HTML)").answer(200, None),
        )
        .get(
            "/assets/{*path}",
            asset,
            Op::new("Page assets (scripts, styles)")
                .answer(200, None)
                .errors(&[404]),
        )
}

/// An embedded file by its path under `assets/web/`.
pub fn file(path: &str) -> Option<&'static [u8]> {
    embedded::FILES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, bytes)| *bytes)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(path: &str, bytes: &'static [u8]) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn page(file_name: &str, title: &str, purpose: &str) -> Response {
    if let Some(bytes) = file(file_name) {
        return respond(file_name, bytes);
    }
    let html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}（临时页面）</title>\n</head>\n<body style=\"font-family:sans-serif;\
         max-width:40em;margin:3em auto;line-height:1.6\">\n<h1>{title}</h1>\n\
         <p style=\"background:#fff3cd;padding:1em\">这是临时占位页面，正式页面正在开发中。\
         <br>用途：{purpose}。</p>\n<p>接口说明：<a href=\"/api/openapi.json\">/api/openapi.json</a></p>\n\
         </body>\n</html>\n"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

async fn index() -> Response {
    page("index.html", "排队叫号系统", "政务服务中心排队叫号")
}

async fn window() -> Response {
    page(
        "window.html",
        "窗口工作台",
        "窗口工作人员叫号、重呼、过号、转移、暂停",
    )
}

async fn admin() -> Response {
    page(
        "admin.html",
        "管理后台",
        "人员与设备管理、实时监察、报表与排名",
    )
}

async fn ticket(Param(_id): Param) -> Response {
    page(
        "ticket.html",
        "排队进度查询",
        "扫描排队号上的二维码查看排队进度",
    )
}

async fn asset(L(lang): L, Param(path): Param) -> Result<Response, ApiError> {
    file(&path)
        .map(|bytes| respond(&path, bytes))
        .ok_or_else(|| ApiError::not_found(lang))
}
