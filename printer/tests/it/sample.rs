//! The sample chosen from a hall: the default hall's stays the one the
//! snapshots show, any other hall gets one of its own.

use std::path::Path;

use lobby_core::hall::Opening;
use lobby_core::{Channel, Hall, SourceFile, WindowNo};
use lobby_printer::sample::{self, AT, Choice, Sample};

use crate::support::hall;

/// The town hall fixture, with `edit` applied to its main file's text.
fn town(edit: impl Fn(&str) -> String) -> Hall {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/town");
    let text = std::fs::read_to_string(dir.join("hall.toml")).unwrap();
    let main = SourceFile {
        name: "town/hall.toml".into(),
        text: edit(&text),
    };
    lobby_core::config::load(main, |name| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_default_hall_keeps_its_sample() {
    let s = Sample::pick(&hall(), &Choice::default()).unwrap();
    assert_eq!(s.site.to_string(), "hall");
    assert_eq!(s.category.to_string(), "bdc");
    assert_eq!(s.matter.unwrap().to_string(), "BDC-001");
    assert_eq!(s.windows, [WindowNo(7), WindowNo(8)]);
    assert_eq!(s.at, AT.parse().unwrap());
}

#[test]
fn a_site_brings_its_busiest_category() {
    let hall = hall();
    let choice = Choice {
        site: Some("rs".into()),
        ..Choice::default()
    };
    let s = Sample::pick(&hall, &choice).unwrap();
    assert_eq!(s.category.to_string(), "rs");
    assert_eq!(s.windows, [WindowNo(101), WindowNo(102)]);
    let print = s.ticket(&hall).unwrap();
    assert_eq!(print.site.as_deref(), Some("县人社分中心"));
}

/// A hall whose kiosks do not issue at [`AT`] gets its sample at the first
/// quarter hour at which they do, not a refusal.
#[test]
fn a_hall_closed_at_the_sample_time_issues_when_it_opens() {
    let hall = town(|t| t.replace(r#"start = "09:00""#, r#"start = "11:00""#));
    let s = Sample::pick(&hall, &Choice::default()).unwrap();
    assert!(s.at > AT.parse().unwrap());
    assert_eq!(hall.opening(&s.site, Channel::Kiosk, s.at), Opening::Open);
    let t = s.ticket(&hall).unwrap();
    assert_eq!(t.number, "Q008");
    assert!(sample::slip(&hall).is_ok());
}

/// A matter delegated down to the towns (放权下沉), asked for at a town,
/// is the town's category's ticket.
#[test]
fn a_delegated_matter_at_a_town_is_the_towns_ticket() {
    let hall = lobby_core::builtin::hall().unwrap();
    let choice = Choice {
        site: Some("liuba".into()),
        matter: Some("SHBZ-001".into()),
        ..Choice::default()
    };
    let s = Sample::pick(&hall, &choice).unwrap();
    assert_eq!(s.category.to_string(), "liuba");
    assert_eq!(s.windows, [WindowNo(501), WindowNo(502)]);
    let t = s.ticket(&hall).unwrap();
    assert_eq!(t.site.as_deref(), Some("六坝镇便民服务中心"));
    assert!(t.matter.is_some());
    assert!(s.slip(&hall).is_ok());
}
