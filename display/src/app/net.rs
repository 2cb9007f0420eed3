//! The only plugin that talks to the server: starts the [`Link`] thread,
//! which wakes the event loop for each message, and applies what arrives
//! to the board.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitUserEvent};
use jiff::Timestamp;

use super::{CallMade, Config, Hall, Ranking, Shown};
use crate::link::{Link, LinkConfig, LinkEvent};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, start_link)
        .add_systems(PreUpdate, receive_link.run_if(resource_exists::<Inbox>));
}

/// What the link thread sent, waiting to be applied.
#[derive(Resource)]
struct Inbox(Mutex<Receiver<LinkEvent>>);

/// Keeps the link thread running.
#[derive(Resource)]
struct Running(#[allow(dead_code)] Link);

fn start_link(
    mut commands: Commands,
    config: Res<Config>,
    proxy: Res<EventLoopProxyWrapper>,
) -> Result {
    let (tx, rx) = channel();
    let proxy = (**proxy).clone();
    let report = config.report;
    let link = Link::start(
        LinkConfig {
            server: config.server.clone(),
            token: config.token.clone(),
            ranking: config.rotation().is_some(),
        },
        move |event| {
            if report {
                match &event {
                    LinkEvent::Connected => println!("link connected"),
                    LinkEvent::Disconnected(why) => println!("link lost: {why}"),
                    _ => {}
                }
            }
            // The app is gone when these fail; the thread stops with it.
            let _ = tx.send(event);
            let _ = proxy.send_event(WinitUserEvent::WakeUp);
        },
    )?;
    commands.insert_resource(Inbox(Mutex::new(rx)));
    commands.insert_resource(Running(link));
    Ok(())
}

fn receive_link(
    inbox: Res<Inbox>,
    mut shown: ResMut<Shown>,
    mut hall: ResMut<Hall>,
    mut ranking: ResMut<Ranking>,
    mut calls: MessageWriter<CallMade>,
) {
    // A poisoned lock still holds a working receiver.
    let inbox = inbox.0.lock().unwrap_or_else(|e| e.into_inner());
    for event in inbox.try_iter() {
        let now = Timestamp::now();
        match event {
            LinkEvent::Hall(view) => {
                hall.tz = view.tz();
                hall.view = Some(*view);
            }
            LinkEvent::Connected => shown.connected(),
            LinkEvent::Disconnected(_) => shown.disconnected(now),
            LinkEvent::Message(message) => {
                for call in shown.receive(*message, now) {
                    calls.write(CallMade(call));
                }
            }
            LinkEvent::Ranking(r) => ranking.0 = r.map(|r| *r),
        }
    }
}
