//! `lobby-display --server URL --token TOKEN [--layout hall|site] …`

use clap::Parser;
use lobby_display::cli::Settings;

fn main() -> anyhow::Result<()> {
    let settings = Settings::parse();
    if let Err(why) = settings.check() {
        clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, format!("{why}\n")).exit();
    }
    lobby_display::run(settings)
}
