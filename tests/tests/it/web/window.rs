//! `/window`: the staff desk.

use fantoccini::key::Key;
use lobby_core::api::{IssueRequest, Lane, Role};
use lobby_core::{CategoryId, MatterId, Status, WindowNo};
use lobby_tests::ApiFailure;

use super::{PASSWORD, Web, assert_no_page_errors, log_in, shots};

/// Logs `username` in at `/window` and opens window `n` from the chooser.
async fn open_desk(
    web: &Web,
    browser: &lobby_tests::Browser,
    username: &str,
    n: u32,
) -> anyhow::Result<()> {
    browser.goto(&web.url("/window")).await?;
    log_in(browser, username, PASSWORD).await?;
    browser
        .click(&format!(".window-choice[data-window=\"{n}\"]"))
        .await?;
    browser
        .wait_text("#window-title", &format!("{n} 号窗口"))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_login_shows_the_servers_message() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    let b = web.desktop().await?;
    b.goto(&web.url("/window")).await?;
    b.wait_text("#login-form h2", "工作人员登录").await?;
    b.wait_text("#login-submit", "登录").await?;
    log_in(&b, "wang", "not-the-password").await?;
    b.wait_text("#login-error", "用户名或密码错误").await?;
    log_in(&b, "nobody", PASSWORD).await?;
    b.wait_text("#login-error", "用户名或密码错误").await?;
    b.screenshot(&shots(), "window-login-refused").await?;
    // And the right password lets the same form through.
    log_in(&b, "wang", PASSWORD).await?;
    b.wait_for(".window-choice[data-window=\"7\"]").await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_call_start_complete_transfer_and_pause() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    let tickets = web.issue("bdc", 3)?;
    let b = web.desktop().await?;
    open_desk(&web, &b, "wang", 7).await?;
    b.wait_text("#window-state", "已开启").await?;
    b.wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "3")
        .await?;
    b.wait_text("#current-empty", "F1").await?;
    // Nothing in hand: only calling, pausing and signing off make sense.
    assert!(!b.is_enabled(".act-start").await?);
    assert!(!b.is_enabled(".act-complete").await?);

    // F1 calls the next ticket.
    b.press(Key::F1).await?;
    b.wait_text("#cur-number", "B001").await?;
    b.wait_text("#cur-status", "已叫号").await?;
    b.wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "2")
        .await?;
    assert!(b.is_enabled(".act-start").await?);
    assert!(!b.is_enabled(".act-complete").await?);
    assert!(!b.is_enabled(".act-call").await?);

    // F3 starts, F4 completes.
    b.press(Key::F3).await?;
    b.wait_text("#cur-status", "办理中").await?;
    b.wait_text("#cur-category", "不动产登记").await?;
    b.screenshot(&shots(), "window-serving").await?;
    let (w, h, sw, sh) = b.extent().await?;
    assert!(
        sw <= w && sh <= h,
        "the desk scrolls at 1366×768: viewport {w}×{h}, page {sw}×{sh}"
    );
    b.press(Key::F4).await?;
    b.wait_text("#message", "B001 已办结").await?;
    b.wait_text("#current-empty", "F1").await?;
    b.wait_text("#today-completed", "1").await?;
    let done = web.admin().ticket(tickets[0].id.as_str())?;
    assert_eq!(done.status, Status::Completed);

    // Transfer to another category, with the dialog's category list.
    b.click(".act-call").await?;
    b.wait_text("#cur-number", "B002").await?;
    b.press(Key::F6).await?;
    b.wait_text("#transfer-title", "B002").await?;
    b.wait_for("#transfer-category")
        .await?
        .select_by_value("sw")
        .await?;
    b.click("#transfer-submit").await?;
    b.wait_text("#message", "B002 已转移").await?;
    b.wait_gone("#transfer-dialog").await?;
    let moved = web.admin().ticket(tickets[1].id.as_str())?;
    assert_eq!(moved.category, CategoryId::from("sw"));
    assert_eq!(moved.status, Status::Waiting);

    // Transfer to a window by number (an open one: transfers to a closed
    // window are refused).
    web.admin().open_window(8)?;
    b.press(Key::F1).await?;
    b.wait_text("#cur-number", "B003").await?;
    b.click(".act-transfer").await?;
    b.fill("#transfer-window", "8").await?;
    b.click("#transfer-submit").await?;
    b.wait_text("#message", "B003 已转移").await?;
    let queue = web.admin().queue()?;
    let eight = queue
        .windows
        .iter()
        .find(|w| w.number == WindowNo(8))
        .unwrap();
    assert_eq!(eight.waiting_here, 1, "B003 waits for window 8");

    // Pause with a preset reason, then resume.
    b.press(Key::F7).await?;
    b.click("#pause-presets button[data-reason=\"午休\"]")
        .await?;
    b.click("#pause-submit").await?;
    b.wait_text("#window-state", "暂停中：午休").await?;
    b.wait_text("#current-empty", "午休").await?;
    assert!(!b.is_enabled(".act-call").await?);
    assert_eq!(web.admin().window(7)?.paused.as_deref(), Some("午休"));
    b.press(Key::F7).await?;
    b.wait_text("#window-state", "已开启").await?;
    assert!(b.is_enabled(".act-call").await?);

    // Nobody waits for window 7 any more (B002 went to another category,
    // B003 to window 8): calling says so.
    b.press(Key::F1).await?;
    b.wait_text("#message", "当前没有等候的号").await?;

    // Call a specific ticket from the waiting list.
    let more = web.issue("bdc", 2)?;
    b.wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "2")
        .await?;
    b.press(Key::F8).await?;
    b.wait_text("#waiting-rows", "B005").await?;
    b.click("#waiting-rows tr[data-ticket=\"B005\"] button")
        .await?;
    b.wait_text("#cur-number", "B005").await?;
    let called = web.admin().ticket(more[1].id.as_str())?;
    assert_eq!(called.status, Status::Called);
    assert_eq!(called.window, Some(WindowNo(7)));

    // Recall, then no-show.
    b.press(Key::F2).await?;
    b.wait_text("#message", "已重呼 B005").await?;
    b.wait_text("#cur-recalls", "1").await?;
    b.press(Key::F5).await?;
    b.wait_text("#message", "B005 已做过号处理").await?;
    assert_eq!(
        web.admin().ticket(more[1].id.as_str())?.status,
        Status::NoShow
    );

    // The notification slip of a matter, ready to print.
    b.press(Key::F9).await?;
    b.wait_text("#slip", "一次性告知单").await?;
    b.wait_text("#slip .slip-materials", "身份证").await?;
    b.wait_text("#slip", "承诺时限").await?;
    b.wait_text("#slip ol", "本人到场签字").await?;
    b.screenshot(&shots(), "window-slip").await?;
    // Printing puts the slip alone on paper. The browser's print dialog is
    // replaced so the test can see it was asked for; WebDriver prints the
    // page with the print style sheet instead.
    b.catch_print().await?;
    b.click("#slip-print").await?;
    b.wait_printed(1).await?;
    let pdf = b.print_pdf(&shots(), "window-slip").await?;
    let bytes = std::fs::read(&pdf)?;
    assert!(bytes.starts_with(b"%PDF"), "a PDF: {}", pdf.display());
    b.click("#slip-dialog [data-close]").await?;
    b.wait_gone("#slip-dialog").await?;

    // A green-channel, assisted visitor with a chosen matter: the marks
    // show, and the slip opens on that matter.
    web.admin().issue_with(&IssueRequest {
        category: CategoryId::from("bdc"),
        priority: Lane::Green,
        group: None,
        matter: Some(MatterId::from("BDC-002")),
        channel: None,
        site: None,
        assisted: true,
        stops: Vec::new(),
        appointment: None,
    })?;
    b.press(Key::F1).await?;
    b.wait_text("#cur-number", "B006").await?;
    b.wait_for("#cur-green").await?;
    b.wait_text("#cur-assisted", "帮办代办").await?;
    b.wait_text("#cur-matter", "新建商品房").await?;
    b.wait_text("#today-called", "5").await?;
    b.screenshot(&shots(), "window-green-assisted").await?;
    b.press(Key::F9).await?;
    b.wait_text("#slip .slip-matter", "新建商品房").await?;
    b.click("#slip-dialog [data-close]").await?;
    b.wait_gone("#slip-dialog").await?;

    // English on request, Chinese again after.
    b.click("#lang").await?;
    b.wait_text(".act-call", "Call next").await?;
    b.wait_text("#window-title", "Window 7").await?;
    b.screenshot(&shots(), "window-english").await?;
    b.click("#lang").await?;
    b.wait_text(".act-call", "叫号").await?;

    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_browser_sees_the_change_live() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.issue("bdc", 1)?;
    let first = web.desktop().await?;
    let second = web.desktop().await?;
    open_desk(&web, &first, "wang", 7).await?;
    open_desk(&web, &second, "wang", 7).await?;
    second
        .wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "1")
        .await?;

    // A ticket issued at a kiosk shows up in both without reloading.
    web.issue("bdc", 1)?;
    first
        .wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "2")
        .await?;
    second
        .wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "2")
        .await?;

    // What one does, the other sees.
    first.press(Key::F1).await?;
    first.wait_text("#cur-number", "B001").await?;
    second.wait_text("#cur-number", "B001").await?;
    second.wait_text("#cur-status", "已叫号").await?;
    second.click(".act-start").await?;
    first.wait_text("#cur-status", "办理中").await?;
    first.press(Key::F4).await?;
    second.wait_text("#current-empty", "F1").await?;
    second.wait_text("#today-completed", "1").await?;

    assert_no_page_errors(&first).await?;
    assert_no_page_errors(&second).await?;
    first.close().await?;
    second.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_staff_members_window_is_refused() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.staff("li", Role::Staff, &[8])?;
    web.issue("bdc", 1)?;

    // The API refuses, with the reason.
    let li = web.login("li")?;
    let err = li.call_next(7).unwrap_err();
    let failure = err.downcast_ref::<ApiFailure>().expect("an API refusal");
    assert_eq!(failure.status, 403);
    assert_eq!(failure.code, "window_not_assigned");

    // So does the page: li, sent to window 7 by a bookmark, is told why
    // and offered only window 8.
    let b = web.desktop().await?;
    b.goto(&web.url("/window?window=7")).await?;
    log_in(&b, "li", PASSWORD).await?;
    b.wait_text("#choose-error", "您没有被分配到 7 号窗口")
        .await?;
    b.wait_for(".window-choice[data-window=\"8\"]").await?;
    let choices = b
        .client()
        .find_all(fantoccini::Locator::Css(".window-choice"))
        .await?;
    assert_eq!(choices.len(), 1, "li sees only window 8");
    b.screenshot(&shots(), "window-refused").await?;
    assert!(!web.admin().window(7)?.open, "window 7 stays closed");
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_banner_shows_and_the_desk_recovers() -> anyhow::Result<()> {
    let mut web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.issue("bdc", 1)?;
    let b = web.desktop().await?;
    open_desk(&web, &b, "wang", 7).await?;
    b.wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "1")
        .await?;
    b.wait_gone("#offline").await?;

    web.server.stop()?;
    b.wait_text("#offline", "离线，正在重新连接").await?;
    assert!(
        !b.is_enabled(".act-call").await?,
        "no calling while offline"
    );
    assert!(b.is_enabled(".act-slip").await?, "the slip works offline");
    b.screenshot(&shots(), "window-offline").await?;

    // Back on the same port and database: the banner goes, the session
    // still holds, and what happened meanwhile shows.
    web.server.restart()?;
    web.issue("bdc", 1)?;
    b.wait_gone("#offline").await?;
    b.wait_text("#queue-rows tr[data-category=\"bdc\"] .waiting-count", "2")
        .await?;
    b.wait_js(
        "calling to be possible again",
        "return !document.querySelector('.act-call').disabled",
    )
    .await?;
    b.press(Key::F1).await?;
    b.wait_text("#cur-number", "B001").await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}
