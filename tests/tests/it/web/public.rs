//! `/t/{id}`: the public page behind a ticket's QR code.

use lobby_core::api::Role;

use super::{PASSWORD, Web, assert_no_page_errors, log_in, shots};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_updates_when_the_ticket_is_called() -> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    let tickets = web.issue("bdc", 2)?;
    let mine = &tickets[1];
    let phone = web.phone().await?;
    phone.goto(&web.url(&format!("/t/{}", mine.id))).await?;
    phone.wait_text("#number", "B002").await?;
    phone.wait_text("#ahead", "1 人").await?;
    phone.wait_text("#estimate", "分钟").await?;
    phone.wait_text("#status", "等候中").await?;
    let (w, _, sw, _) = phone.extent().await?;
    assert_eq!(w, 375, "phone-sized viewport");
    assert!(sw <= w, "no sideways scrolling on a phone: {sw} > {w}");
    phone.screenshot(&shots(), "public-phone-waiting").await?;

    // The visitor ahead is called: one fewer ahead, without reloading.
    let wang = web.login("wang")?;
    wang.open_window(7)?;
    wang.call_next(7)?;
    phone.wait_text("#ahead", "0 人").await?;
    wang.window_action(7, "start")?;
    wang.window_action(7, "complete")?;
    // Now this ticket is called.
    wang.call_next(7)?;
    phone.wait_text("#callout", "请到 7 号窗口办理").await?;
    phone.wait_text("#status", "已叫号").await?;
    phone.wait_gone("#figures").await?;
    phone.screenshot(&shots(), "public-phone-called").await?;

    // Nothing about other visitors: no other number anywhere on the page.
    let text = phone.text("body").await?;
    assert!(
        !text.contains("B001"),
        "the page shows another ticket: {text}"
    );

    wang.window_action(7, "start")?;
    phone.wait_text("#callout", "正在 7 号窗口办理").await?;
    wang.window_action(7, "complete")?;
    phone.wait_text("#callout", "业务已办结").await?;
    // Opened by its bare address (no key from the QR code), the page
    // cannot rate: it says where the key is.
    phone
        .wait_text("#rated", "请用手机扫描号票上的二维码进行评价")
        .await?;
    phone.wait_gone("#rate").await?;

    // The same page at the terminals' size, for review.
    let desktop = web.desktop().await?;
    desktop
        .goto(&web.url(&format!("/t/{}", tickets[0].id)))
        .await?;
    desktop.wait_text("#callout", "业务已办结").await?;
    desktop.screenshot(&shots(), "public-desktop").await?;

    assert_no_page_errors(&phone).await?;
    phone.close().await?;
    desktop.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visitor_rates_the_visit_on_the_phone_and_the_manager_follows_it_up()
-> anyhow::Result<()> {
    let web = Web::start()?;
    web.staff("wang", Role::Staff, &[7])?;
    web.staff("boss", Role::Admin, &[])?;
    let mine = web.issue("bdc", 1)?.remove(0);
    let wang = web.login("wang")?;
    wang.open_window(7)?;
    wang.call_next(7)?;
    wang.window_action(7, "start")?;

    // The page as the ticket's QR code opens it: with the rating key.
    let key = mine
        .rating_key
        .as_deref()
        .expect("the issue answer has the key");
    let qr = web.url(&format!("/t/{}#k={key}", mine.id));
    let phone = web.phone().await?;
    phone.goto(&qr).await?;
    phone.wait_text("#callout", "正在 7 号窗口办理").await?;
    // No rating before the visit is done.
    phone.wait_gone("#rate").await?;
    wang.window_action(7, "complete")?;
    phone.wait_text("#rate h2", "请对本次服务进行评价").await?;
    assert!(!phone.is_enabled("#rate-send").await?, "a level first");
    phone.click("#rate [data-rating='dissatisfied']").await?;
    phone
        .wait_text("#comment-box", "请告诉我们哪里做得不好")
        .await?;
    phone
        .fill("#comment", "等了很久也没人解释。请回电 13812345678")
        .await?;
    phone.screenshot(&shots(), "public-phone-rating").await?;
    phone.click("#rate-send").await?;
    phone.wait_text("#rated", "感谢您的评价：不满意").await?;
    phone.wait_gone("#rate").await?;
    // It stays rated when the visitor comes back to the page.
    phone.goto(&qr).await?;
    phone.wait_text("#rated", "不满意").await?;
    phone.wait_gone("#rate").await?;
    assert_no_page_errors(&phone).await?;
    phone.close().await?;

    // The manager reads it in the day's report, with who served and what
    // the visitor wrote (the phone number masked), to follow it up.
    let b = web.desktop().await?;
    b.goto(&web.url("/admin")).await?;
    log_in(&b, "boss", PASSWORD).await?;
    b.wait_for("#admin-view").await?;
    b.click("#tab-reports").await?;
    let row = b.wait_text("#day-bad tbody tr", "B001").await?;
    for part in [
        "7 号窗口",
        "wang",
        "不满意",
        "等了很久也没人解释",
        "138****5678",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }
    assert!(!row.contains("13812345678"), "{row}");
    b.js(
        "document.querySelector('#day-bad').scrollIntoView()",
        vec![],
    )
    .await?;
    b.screenshot(&shots(), "admin-bad-ratings").await?;
    assert_no_page_errors(&b).await?;
    b.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ticket_says_so() -> anyhow::Result<()> {
    let web = Web::start()?;
    let phone = web.phone().await?;
    phone.goto(&web.url("/t/no-such-ticket")).await?;
    phone.wait_text("#not-found", "找不到这个排队号").await?;
    assert_no_page_errors(&phone).await?;
    phone.close().await
}
