//! `lobby-kiosk --server URL --token TOKEN --printer PATH|tcp://HOST:PORT`

use clap::Parser;

fn main() -> anyhow::Result<()> {
    lobby_kiosk::run(lobby_kiosk::Args::parse())
}
