//! `/admin`: the hall live, staff accounts and device tokens; admins only.

use lobby_core::api::Role;
use lobby_tests::ApiFailure;
use serde_json::json;

use super::{PASSWORD, Web, assert_no_page_errors, log_in, shots};

fn status_of(err: &anyhow::Error) -> u16 {
    err.downcast_ref::<ApiFailure>().map_or(0, |f| f.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_refuses_staff() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    let wang = web.login("wang")?;
    assert_eq!(
        status_of(&wang.get::<serde_json::Value>("/api/staff").unwrap_err()),
        403
    );

    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    b.wait_text("#login-form h2", "管理员登录").await?;
    log_in(&b, "wang", PASSWORD).await?;
    b.wait_text("#refused-view", "仅限管理员").await?;
    b.wait_gone("#admin-view").await?;
    b.screenshot(&shots(), "admin-refused").await?;
    // The page kept no session for wang: reloading shows the login again.
    b.goto(&web.url("/admin")).await?;
    b.wait_for("#login-form").await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_watches_the_hall_live() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.staff("li", Role::Staff, &[8])?;
    web.staff("boss", Role::Admin, &[])?;
    web.issue("bdc", 3)?;
    web.issue("gasf", 1)?;

    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    log_in(&b, "boss", PASSWORD).await?;
    b.wait_for("#admin-view").await?;
    b.wait_text("#category-rows tr[data-category=\"bdc\"]", "不动产登记")
        .await?;
    b.wait_text("#sum-issued", "4").await?;
    b.wait_for("#wall .tile[data-window=\"7\"][data-state=\"closed\"]")
        .await?;

    // Window 7 opens and calls, window 8 pauses: the wall follows live.
    let wang = web.login("wang")?;
    wang.open_window(7)?;
    // The tile says who signed in.
    b.wait_text(
        "#wall .tile[data-window=\"7\"][data-state=\"idle\"]",
        "wang",
    )
    .await?;
    wang.call_next(7)?;
    b.wait_text(
        "#wall .tile[data-window=\"7\"][data-state=\"calling\"]",
        "B001",
    )
    .await?;
    wang.window_action(7, "start")?;
    b.wait_text(
        "#wall .tile[data-window=\"7\"][data-state=\"serving\"]",
        "B001",
    )
    .await?;
    let li = web.login("li")?;
    li.open_window(8)?;
    li.post::<serde_json::Value>("/api/windows/8/pause", &json!({ "reason": "临时离开" }))?;
    b.wait_text(
        "#wall .tile[data-window=\"8\"][data-state=\"paused\"]",
        "临时离开",
    )
    .await?;
    b.wait_text("#sum-paused", "1").await?;
    b.wait_text(
        "#category-rows tr[data-category=\"bdc\"] td:nth-child(2)",
        "2",
    )
    .await?;

    // Past the category's threshold (不动产登记: 40 minutes) the row turns
    // yellow and the yellow card is listed.
    web.admin().advance_clock(41 * 60)?;
    b.wait_for("#category-rows tr.warn[data-category=\"bdc\"]")
        .await?;
    b.wait_text("#cards", "B002").await?;
    b.wait_text("#sum-warn", "2").await?;
    b.screenshot(&shots(), "admin-live").await?;

    // Completed and no-show counts of the day.
    wang.window_action(7, "complete")?;
    wang.call_next(7)?;
    wang.window_action(7, "no-show")?;
    b.wait_text("#sum-completed", "1").await?;
    b.wait_text("#sum-no_shows", "1").await?;
    b.wait_text(
        "#category-rows tr[data-category=\"bdc\"] td:nth-child(6)",
        "1",
    )
    .await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_manages_staff_and_device_tokens() -> anyhow::Result<()> {
    let web = Web::start()?;
    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    // A fresh installation has no accounts: the admin token opens the page.
    b.click("#login-form summary").await?;
    b.fill("#admin-token", web.server.admin_token()).await?;
    b.click("#token-submit").await?;
    b.wait_for("#admin-view").await?;

    // Create an account with two windows.
    b.click("#tab-staff").await?;
    b.wait_text("#staff-empty", "还没有人员账号").await?;
    b.fill("#new-username", "zhao").await?;
    b.fill("#new-display", "赵敏").await?;
    b.fill("#new-password", "short").await?;
    b.fill("#new-windows", "9-10").await?;
    b.click("#staff-create").await?;
    b.wait_text("#staff-message", "至少 8").await?;
    b.fill("#new-password", PASSWORD).await?;
    b.click("#staff-create").await?;
    b.wait_text("#staff-message", "已创建账号 zhao").await?;
    b.wait_text(
        "#staff-rows tr[data-username=\"zhao\"] .staff-windows",
        "9-10",
    )
    .await?;
    let zhao = web.login("zhao")?;
    zhao.open_window(10)?;

    // Reassign windows; the server's own refusal of an unknown window is
    // shown as it says it.
    b.click("#staff-rows tr[data-username=\"zhao\"] .edit-windows")
        .await?;
    b.fill("#ask-input", "9, 11, 9999").await?;
    b.click("#ask-ok").await?;
    b.wait_text("#staff-message", "没有 9999 号窗口").await?;
    b.click("#staff-rows tr[data-username=\"zhao\"] .edit-windows")
        .await?;
    b.fill("#ask-input", "9, 11").await?;
    b.click("#ask-ok").await?;
    b.wait_text(
        "#staff-rows tr[data-username=\"zhao\"] .staff-windows",
        "9, 11",
    )
    .await?;
    assert_eq!(status_of(&zhao.call_next(10).unwrap_err()), 403);

    // Reset the password: the new one works.
    b.click("#staff-rows tr[data-username=\"zhao\"] .reset-password")
        .await?;
    b.fill("#ask-input", "another-horse-8").await?;
    b.click("#ask-ok").await?;
    b.wait_text("#staff-message", "已重置 zhao 的密码").await?;
    web.server.public().login("zhao", "another-horse-8")?;
    b.screenshot(&shots(), "admin-staff").await?;

    // Disable: logging in is refused.
    b.click("#staff-rows tr[data-username=\"zhao\"] .toggle-disabled")
        .await?;
    b.click("#ask-ok").await?;
    b.wait_text("#staff-message", "已停用 zhao").await?;
    assert_eq!(
        status_of(
            &web.server
                .public()
                .login("zhao", "another-horse-8")
                .unwrap_err()
        ),
        401
    );

    // A kiosk's token: shown once, works, then revoked.
    b.click("#tab-devices").await?;
    b.fill("#device-name", "大厅 1 号取号机").await?;
    b.wait_for("#device-kind")
        .await?
        .select_by_value("kiosk")
        .await?;
    b.click("#device-create").await?;
    let token = b.text("#device-token-value").await?;
    assert!(token.len() >= 16, "a device token: {token}");
    b.wait_text("#device-rows", "大厅 1 号取号机").await?;
    b.screenshot(&shots(), "admin-devices").await?;
    let kiosk = web.server.public().with_token(&token);
    kiosk.issue("bdc")?;
    b.click("#device-rows tr .revoke").await?;
    b.click("#ask-ok").await?;
    b.wait_text("#device-message", "已吊销").await?;
    b.wait_gone("#device-token").await?;
    b.wait_for("#device-empty").await?;
    assert_eq!(status_of(&kiosk.issue("bdc").unwrap_err()), 401);

    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_prints_the_matters_accepted_at_windows_and_online() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("boss", Role::Admin, &[])?;
    let admin = web.admin();
    web.issue("bdc", 2)?;
    admin.post::<serde_json::Value>(
        "/api/tickets",
        &json!({ "category": "sw", "channel": "online" }),
    )?;
    for window in [7, 7, 29] {
        admin.call_next(window)?;
        admin.window_action(window, "complete")?;
    }

    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    log_in(&b, "boss", PASSWORD).await?;
    b.wait_for("#admin-view").await?;
    b.click("#tab-reports").await?;
    // The sentence the centre's own yearly report opens with, from 1 January.
    b.wait_text(
        "#period-summary",
        "2026-01-01至2026-11-25，共受理政务服务事项3件，其中窗口受理办理2件，网上受理1件，已办结1件，办结率为100.00%",
    )
    .await?;
    let total = b.wait_text("#period-table tr.total", "合计").await?;
    assert!(total.contains("100.00%"), "{total}");
    let bdc = b.wait_text("#period-table tbody tr", "不动产登记").await?;
    assert!(bdc.contains('2'), "{bdc}");
    b.js(
        "document.querySelector('#period-report').scrollIntoView()",
        vec![],
    )
    .await?;
    b.screenshot(&shots(), "admin-period").await?;

    // Printed alone, headed with the centre's name and the period.
    b.catch_print().await?;
    b.click("#period-print").await?;
    b.wait_printed(1).await?;
    let heading = b
        .js(
            "return document.querySelector('.print-root .print-only').textContent",
            vec![],
        )
        .await?;
    assert_eq!(
        heading,
        "民乐县政务服务中心政务服务事项受理情况统计表（2026-01-01至2026-11-25）"
    );
    let pdf = b.print_pdf(&shots(), "admin-period").await?;
    assert!(std::fs::read(&pdf)?.starts_with(b"%PDF"));

    // Another period: a day before any of it has nothing.
    b.js(
        "document.querySelector('#period-from').value = '2026-11-24';
         document.querySelector('#period-to').value = '2026-11-24'",
        vec![],
    )
    .await?;
    b.click("#period-load").await?;
    b.wait_text("#period-summary", "共受理政务服务事项0件")
        .await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reads_the_days_figures_and_the_monthly_ranking() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.staff("boss", Role::Admin, &[])?;
    let tickets = web.issue("bdc", 3)?;
    let wang = web.login("wang")?;
    wang.open_window(7)?;
    for _ in 0..2 {
        wang.call_next(7)?;
        web.server.admin().advance_clock(300)?;
        wang.window_action(7, "start")?;
        web.server.admin().advance_clock(600)?;
        wang.window_action(7, "complete")?;
    }
    // The visitor rates from their ticket's page, with the key from its
    // QR code.
    let key = tickets[0]
        .rating_key
        .as_deref()
        .expect("the issue answer has the key");
    let visitor = web.server.public().with_token(key);
    visitor.post::<serde_json::Value>(
        &format!("/api/tickets/{}/rating", tickets[0].id),
        &json!({ "rating": "very_satisfied" }),
    )?;

    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    log_in(&b, "boss", PASSWORD).await?;
    b.wait_for("#admin-view").await?;
    b.click("#tab-reports").await?;
    b.wait_text("#day-issued", "3").await?;
    b.wait_text("#day-completed", "2").await?;
    b.wait_text("#day-categories tbody", "不动产登记").await?;
    b.wait_text("#day-categories tr.total", "合计").await?;
    let row = b.wait_text("#day-windows tbody tr", "7 号窗口").await?;
    assert!(row.contains("10 分钟"), "mean service of 10 minutes: {row}");
    assert!(row.contains("5.00"), "the rating: {row}");
    b.wait_text("#ranking tbody tr", "7 号窗口").await?;
    // Per person too: wang signed in at window 7 (by opening it).
    let mine = b.wait_text("#day-staff tbody tr", "wang").await?;
    assert!(mine.contains("5.00"), "{mine}");
    b.wait_text("#staff-ranking tbody tr", "wang").await?;
    b.wait_text("#ranking-rule", "按办结量排序").await?;
    b.screenshot(&shots(), "admin-reports").await?;

    // The CSV a manager downloads holds the same figures.
    let href = b
        .js(
            "return document.querySelector('#day-csv').getAttribute('href')",
            vec![],
        )
        .await?;
    let href = href.as_str().unwrap_or_default();
    let csv = percent_decode(href.trim_start_matches("data:text/csv;charset=utf-8,"));
    assert!(csv.starts_with('\u{feff}'), "a BOM for spreadsheets");
    assert!(csv.contains("业务类别,取号"), "{csv}");
    assert!(csv.contains("不动产登记,3,0,2,2"), "{csv}");
    assert!(csv.contains("7 号窗口"), "{csv}");
    let download = b
        .js("return document.querySelector('#day-csv').download", vec![])
        .await?;
    assert!(
        download.as_str().is_some_and(|d| d.ends_with(".csv")),
        "{download}"
    );

    // An earlier day with nothing in it says so.
    // (A date field takes typed keys in the browser's locale order; the
    // picker's value is what a manager's choice sets.)
    b.js(
        "document.querySelector('#report-date').value = '2026-11-01'",
        vec![],
    )
    .await?;
    b.click("#report-load").await?;
    b.wait_text("#day-issued", "0").await?;
    b.wait_for("#day-windows-empty").await?;

    assert_no_page_errors(&b).await?;
    b.close().await
}

/// Decodes `%XX` escapes (what encodeURIComponent wrote).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reads_who_changed_accounts_and_devices() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("boss", Role::Admin, &[])?;
    web.staff("wang", Role::Staff, &[7])?;
    web.admin()
        .patch::<serde_json::Value>("/api/staff/wang", &json!({ "windows": [7, 8] }))?;
    assert!(
        web.server
            .public()
            .login("wang", "not-the-password")
            .is_err()
    );
    web.admin()
        .create_device("1 号取号机", lobby_core::api::DeviceKind::Kiosk, None)?;

    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    log_in(&b, "boss", PASSWORD).await?;
    b.wait_for("#admin-view").await?;
    b.click("#tab-audit").await?;
    let created = b
        .wait_text("#audit tr[data-action=\"staff_created\"]", "wang")
        .await?;
    assert!(created.contains("管理员令牌"), "{created}");
    b.wait_text("#audit tr[data-action=\"windows_assigned\"]", "7 → 7,8")
        .await?;
    b.wait_text(
        "#audit tr[data-action=\"login_failed\"]",
        "用户名或密码错误",
    )
    .await?;
    b.wait_text("#audit tr[data-action=\"device_created\"]", "1 号取号机")
        .await?;
    // boss's own login through the page is there too.
    b.wait_text("#audit tr[data-action=\"login\"]", "boss")
        .await?;
    let page = b.text("#audit").await?;
    assert!(!page.contains(PASSWORD), "no password in the trail");
    b.screenshot(&shots(), "admin-audit").await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}
