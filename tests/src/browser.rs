//! Headless Chromium through WebDriver.
//!
//! [`Chromedriver`] runs Debian's `chromedriver` on a port it picks itself
//! (`--port=0`; the port is read from its start-up line) and is ready when
//! `/status` says so. [`Browser`] is one Chromium session with a fresh
//! profile directory and the flags that keep it off the network (the
//! hall's network is closed: no updates, no sync, no QUIC probing).
//!
//! Every wait here polls for a condition with a deadline: an element, a
//! text, a script returning true. Nothing sleeps for a fixed time.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a wait lasts before the test fails: generous, because the
/// machine may be compiling something else at the same time.
pub const WAIT: Duration = Duration::from_secs(30);

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// The flags every Chromium gets: headless, and nothing that reaches for
/// the network on its own.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
];

/// A running chromedriver; shut down (with its browsers) when dropped.
pub struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    /// Starts `chromedriver` (or `$CHROMEDRIVER`) and waits until it is
    /// ready for sessions.
    pub fn start() -> anyhow::Result<Chromedriver> {
        let exe = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let mut child = Command::new(&exe)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("starting {exe} (Debian package chromium-driver; tests/run.sh installs it)")
            })?;
        let stdout = child.stdout.take().context("stdout is piped")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // "ChromeDriver was started successfully on port 43955."
                if let Some(rest) = line.split("successfully on port ").nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(rest.trim_end_matches('.').trim().parse::<u16>().ok());
                }
            }
        });
        let port = match rx.recv_timeout(WAIT) {
            Ok(Some(port)) => port,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("chromedriver did not say which port it listens on ({other:?})");
            }
        };
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let api = crate::Api::new(&driver.url);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok((200, body)) = api.send("GET", "/status", None) {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                if v["value"]["ready"] == json!(true) {
                    return Ok(driver);
                }
            }
            if Instant::now() > deadline {
                bail!("chromedriver at {} never became ready", driver.url);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Its WebDriver URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // /shutdown ends every session (and its Chromium) before exiting;
        // killing chromedriver alone could leave browsers behind.
        let _ = crate::Api::new(&self.url).send("GET", "/shutdown", None);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(POLL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The size and kind of a browser window.
#[derive(Debug, Clone, Copy)]
pub struct BrowserOptions {
    /// Viewport width in CSS pixels.
    pub width: u32,
    /// Viewport height.
    pub height: u32,
    /// Emulate a phone (touch, mobile user agent, device pixel ratio 2).
    pub mobile: bool,
}

impl BrowserOptions {
    /// A hall terminal: 1366×768.
    pub const DESKTOP: BrowserOptions = BrowserOptions {
        width: 1366,
        height: 768,
        mobile: false,
    };

    /// A phone: 375×667.
    pub const PHONE: BrowserOptions = BrowserOptions {
        width: 375,
        height: 667,
        mobile: true,
    };
}

/// One headless Chromium session.
pub struct Browser {
    client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Opens a browser with a fresh profile.
    pub async fn open(driver: &Chromedriver, options: BrowserOptions) -> anyhow::Result<Browser> {
        let profile = tempfile::Builder::new()
            .prefix("lobby-chromium-")
            .tempdir()
            .context("creating a Chromium profile directory")?;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!(
            "--window-size={},{}",
            options.width, options.height
        ));
        let mut chrome = json!({ "args": args });
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        if Path::new(&binary).exists() {
            chrome["binary"] = json!(binary);
        }
        if options.mobile {
            chrome["mobileEmulation"] = json!({
                "deviceMetrics": { "width": options.width, "height": options.height, "pixelRatio": 2.0, "touch": true, "mobile": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(driver.url())
            .await
            .context("opening a Chromium session")?;
        let browser = Browser {
            client,
            _profile: profile,
        };
        if !options.mobile {
            browser.fit_viewport(options.width, options.height).await?;
        }
        Ok(browser)
    }

    /// Resizes the window so that the page's viewport is exactly
    /// `width`×`height` (window decorations differ between versions).
    async fn fit_viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        self.client.set_window_size(width, height).await?;
        let inner = self
            .client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await?;
        let (w, h) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (w, h) != (width, height) && w > 0 && h > 0 {
            self.client
                .set_window_size(
                    width + (width - w.min(width)),
                    height + (height - h.min(height)),
                )
                .await?;
        }
        Ok(())
    }

    /// The WebDriver client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Loads a page.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("loading {url}"))
    }

    /// Ends the session and closes Chromium.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.close().await.context("closing the browser")
    }

    /// Runs a script (a function body; `arguments` holds `args`).
    pub async fn js(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("running script: {script}"))
    }

    /// Polls `check` until it returns `Some`, failing after [`WAIT`] with
    /// `what` in the message.
    pub async fn wait_until<T, F, Fut>(&self, what: &str, mut check: F) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        let mut last_error = None;
        loop {
            match check().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_error = Some(e),
            }
            if Instant::now() > deadline {
                let page = self.describe().await;
                match last_error {
                    Some(e) => bail!("timed out waiting for {what} (last error: {e:#}); {page}"),
                    None => bail!("timed out waiting for {what}; {page}"),
                }
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A short description of the page for failure messages: its address
    /// and visible text.
    async fn describe(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let text: String = text.chars().take(1500).collect();
        format!("page {url} shows:\n{text}")
    }

    /// Waits for a script to return `true`.
    pub async fn wait_js(&self, what: &str, script: &str) -> anyhow::Result<()> {
        self.wait_until(what, || async {
            Ok((self.client.execute(script, vec![]).await? == json!(true)).then_some(()))
        })
        .await
    }

    /// Replaces the page's print dialog with a counter, so a test can see
    /// that printing was asked for ([`Browser::wait_printed`]); WebDriver
    /// prints the page with its print style sheet instead
    /// ([`Browser::print_pdf`]).
    pub async fn catch_print(&self) -> anyhow::Result<()> {
        self.js(
            "window.print = () => { window.printed = (window.printed || 0) + 1; }",
            vec![],
        )
        .await
        .map(drop)
    }

    /// Waits until the page has asked to print `times` times since
    /// [`Browser::catch_print`].
    pub async fn wait_printed(&self, times: u32) -> anyhow::Result<()> {
        self.wait_js(
            &format!("the print dialog to be asked for ({times})"),
            &format!("return window.printed === {times}"),
        )
        .await
    }

    /// Waits until an element matching `css` is displayed, and returns it.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        self.wait_until(&format!("`{css}` to be displayed"), || async {
            for e in self.client.find_all(Locator::Css(css)).await? {
                if e.is_displayed().await.unwrap_or(false) {
                    return Ok(Some(e));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Waits until no element matching `css` is displayed.
    pub async fn wait_gone(&self, css: &str) -> anyhow::Result<()> {
        self.wait_until(&format!("`{css}` to disappear"), || async {
            for e in self.client.find_all(Locator::Css(css)).await? {
                if e.is_displayed().await.unwrap_or(false) {
                    return Ok(None);
                }
            }
            Ok(Some(()))
        })
        .await
    }

    /// Waits until an element matching `css` is displayed with a text
    /// containing `text`, and returns its whole text.
    pub async fn wait_text(&self, css: &str, text: &str) -> anyhow::Result<String> {
        self.wait_until(&format!("`{css}` to show “{text}”"), || async {
            for e in self.client.find_all(Locator::Css(css)).await? {
                if !e.is_displayed().await.unwrap_or(false) {
                    continue;
                }
                let t = e.text().await?;
                if t.contains(text) {
                    return Ok(Some(t));
                }
            }
            Ok(None)
        })
        .await
    }

    /// The text of the first displayed element matching `css`.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Waits for an enabled, displayed element and clicks it.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.wait_until(&format!("`{css}` to be enabled and clicked"), || async {
            for e in self.client.find_all(Locator::Css(css)).await? {
                if e.is_displayed().await.unwrap_or(false) && e.is_enabled().await.unwrap_or(false)
                {
                    match e.click().await {
                        Ok(()) => return Ok(Some(())),
                        // The page re-rendered the element between finding
                        // and clicking it (a live update): find it again.
                        Err(err) if err.to_string().contains("stale element") => return Ok(None),
                        Err(err) => {
                            return Err(
                                anyhow::Error::new(err).context(format!("clicking `{css}`"))
                            );
                        }
                    }
                }
            }
            Ok(None)
        })
        .await
    }

    /// Whether the first element matching `css` is enabled.
    pub async fn is_enabled(&self, css: &str) -> anyhow::Result<bool> {
        Ok(self.wait_for(css).await?.is_enabled().await?)
    }

    /// Replaces the value of an input.
    pub async fn fill(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let e = self.wait_for(css).await?;
        e.clear().await?;
        e.send_keys(value)
            .await
            .with_context(|| format!("typing into `{css}`"))
    }

    /// Presses and releases a key where the focus is (as a person would:
    /// the page's own key handlers see it).
    pub async fn press(&self, key: Key) -> anyhow::Result<()> {
        let value = key.chars().next().context("a key is one character")?;
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// The page's viewport and document size: `(inner width, inner height,
    /// scroll width, scroll height)`.
    pub async fn extent(&self) -> anyhow::Result<(u64, u64, u64, u64)> {
        let v = self
            .js(
                "const d = document.documentElement; \
                 return [window.innerWidth, window.innerHeight, d.scrollWidth, d.scrollHeight]",
                vec![],
            )
            .await?;
        let n = |i: usize| v[i].as_u64().unwrap_or(0);
        Ok((n(0), n(1), n(2), n(3)))
    }

    /// Script errors the page caught (the pages record uncaught errors
    /// and rejections in `window.lobbyErrors`).
    pub async fn page_errors(&self) -> anyhow::Result<Vec<String>> {
        let v = self.js("return window.lobbyErrors || []", vec![]).await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Saves a PNG screenshot of the viewport as `dir/name.png` and returns
    /// its path.
    pub async fn screenshot(&self, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Prints the page as the browser would on paper (print style sheet
    /// applied, A4) and saves the PDF as `dir/name.pdf`.
    pub async fn print_pdf(&self, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        // The default configuration is A4, portrait, default margins.
        let config = fantoccini::wd::PrintConfiguration::default();
        let pdf = self
            .client
            .print(config)
            .await
            .context("printing the page")?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, pdf).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// `target/screenshots/AREA`, where tests save screenshots for review.
pub fn screenshot_dir(area: &str) -> anyhow::Result<PathBuf> {
    Ok(crate::binary::target_dir()?.join("screenshots").join(area))
}
