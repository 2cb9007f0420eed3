//! Voice calls: queues each [`CallMade`] on the [`Announcer`] thread.

use bevy::prelude::*;

use super::{CallMade, Config};
use crate::cli::VoiceKind;
use crate::voice::{Announcer, AnnouncerConfig, Espeak};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, start_announcer)
        .add_systems(Update, announce_calls.run_if(resource_exists::<Speaker>));
}

#[derive(Resource)]
struct Speaker(Announcer);

fn start_announcer(mut commands: Commands, config: Res<Config>) -> Result {
    if config.voice == VoiceKind::Off {
        return Ok(());
    }
    let espeak = match Espeak::find() {
        Ok(e) => e,
        Err(e) => {
            // The wall still shows calls; a missing voice must not blank it.
            error!("voice calls are off: {e}");
            return Ok(());
        }
    };
    let report = config.report;
    let announcer = Announcer::start(
        AnnouncerConfig {
            voice: Box::new(espeak),
            dir: config.voice_dir.clone(),
            play: true,
            repeat: 2,
        },
        move |done| {
            if report {
                println!(
                    "announced {} window={} recall={} ms={} wav={} text={}",
                    done.call.number,
                    done.call.window,
                    done.call.recall,
                    done.duration_ms,
                    done.wav
                        .as_deref()
                        .map_or("-".into(), |p| p.display().to_string()),
                    done.text
                );
            }
        },
    )?;
    commands.insert_resource(Speaker(announcer));
    Ok(())
}

fn announce_calls(mut calls: MessageReader<CallMade>, speaker: Res<Speaker>) {
    for CallMade(call) in calls.read() {
        speaker.0.announce(call.clone());
    }
}
