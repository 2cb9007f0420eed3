//! `/`: the hall's front page: where staff go to work, and every
//! category's queue live.

use super::{Web, assert_no_page_errors, shots};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_page_shows_the_queues_live_and_leads_to_the_desks() -> anyhow::Result<()> {
    let web = Web::start()?;
    let page = web.desktop().await?;
    page.goto(&web.url("/")).await?;
    page.wait_text("#centre-name", "民乐县政务服务中心").await?;
    page.wait_text("#contact", "咨询电话").await?;
    let row = r#"#queues tr[data-category="bdc"] td.waiting"#;
    page.wait_text(row, "0").await?;
    assert!(
        !page.text("body").await?.contains("临时"),
        "the front page is still a placeholder"
    );

    // Tickets issued elsewhere show up without reloading.
    web.issue("bdc", 3)?;
    page.wait_text(row, "3").await?;
    page.screenshot(&shots(), "home").await?;

    // English on request, names included.
    page.click("#lang").await?;
    page.wait_text("#centre-name", "Minle County").await?;
    page.wait_text("#to-window", "Window desk").await?;
    page.click("#lang").await?;
    page.wait_text("#to-window", "窗口工作台").await?;

    // The desks are one click away.
    page.click("#to-window").await?;
    page.wait_text("#login-form h2", "工作人员登录").await?;
    page.goto(&web.url("/")).await?;
    page.click("#to-admin").await?;
    page.wait_for("#login-form").await?;

    assert_no_page_errors(&page).await?;
    page.close().await
}
