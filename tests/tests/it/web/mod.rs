//! The browser pages served by lobby-server, driven in headless Chromium:
//! the front page (`home`), the staff desk (`window`), the admin page
//! (`admin`) and the public ticket page (`public`).

mod admin;
mod home;
mod public;
mod window;

use std::path::PathBuf;

use lobby_core::api::{Role, TicketView};
use lobby_tests::browser::screenshot_dir;
use lobby_tests::{Api, Browser, BrowserOptions, Chromedriver, Server};

/// The password of every account the tests create.
pub const PASSWORD: &str = "correct-horse-7";

/// A server with chromedriver beside it.
pub struct Web {
    /// The server.
    pub server: Server,
    /// The WebDriver.
    pub driver: Chromedriver,
}

impl Web {
    /// Starts lobby-server (fake clock, fresh database) and chromedriver.
    pub fn start() -> anyhow::Result<Web> {
        Ok(Web {
            server: Server::start()?,
            driver: Chromedriver::start()?,
        })
    }

    /// The admin's API client.
    pub fn admin(&self) -> Api {
        self.server.admin()
    }

    /// A page's full URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// A browser at the hall terminals' 1366×768.
    pub async fn desktop(&self) -> anyhow::Result<Browser> {
        Browser::open(&self.driver, BrowserOptions::DESKTOP).await
    }

    /// A browser the size of a phone.
    pub async fn phone(&self) -> anyhow::Result<Browser> {
        Browser::open(&self.driver, BrowserOptions::PHONE).await
    }

    /// Creates an account with [`PASSWORD`].
    pub fn staff(&self, username: &str, role: Role, windows: &[u32]) -> anyhow::Result<()> {
        self.admin()
            .create_staff(username, PASSWORD, role, windows)?;
        Ok(())
    }

    /// An API client logged in as `username`.
    pub fn login(&self, username: &str) -> anyhow::Result<Api> {
        let answer = self.server.public().login(username, PASSWORD)?;
        Ok(self.server.public().with_token(&answer.token))
    }

    /// Issues `n` tickets for `category` (as the guide desk would).
    pub fn issue(&self, category: &str, n: usize) -> anyhow::Result<Vec<TicketView>> {
        (0..n).map(|_| self.admin().issue(category)).collect()
    }
}

/// Where this area's screenshots go.
pub fn shots() -> PathBuf {
    screenshot_dir("web").unwrap_or_else(|_| PathBuf::from("target/screenshots/web"))
}

/// Logs in through a page's form (both `/window` and `/admin` have one).
pub async fn log_in(browser: &Browser, username: &str, password: &str) -> anyhow::Result<()> {
    browser.fill("#username", username).await?;
    browser.fill("#password", password).await?;
    browser.click("#login-submit").await
}

/// Fails if the page recorded script errors.
pub async fn assert_no_page_errors(browser: &Browser) -> anyhow::Result<()> {
    let errors = browser.page_errors().await?;
    anyhow::ensure!(errors.is_empty(), "the page had script errors: {errors:?}");
    Ok(())
}
