//! What tickets and slips look like: readable snapshots of the byte
//! streams, and layout rules checked across the whole catalogue.

use insta::assert_snapshot;
use lobby_core::Lang;
use lobby_core::api::HallView;
use lobby_printer::describe::{decode, describe};
use lobby_printer::render::{self, SlipPrint, TicketPrint};
use lobby_printer::{ChineseFont, Paper, Profile, QrMode, RasterFont, sample};

use crate::support::{hall, printed_lines};

fn ticket(paper: Paper) -> Vec<u8> {
    let hall = hall();
    render::ticket(&sample::ticket(&hall).unwrap(), &Profile::with_paper(paper))
}

fn slip(paper: Paper) -> Vec<u8> {
    let hall = hall();
    let slip = sample::slip(&hall).unwrap();
    render::slip(&slip, &Profile::with_paper(paper))
}

#[test]
fn ticket_80() {
    assert_snapshot!(describe(&ticket(Paper::Mm80)));
}

#[test]
fn ticket_58() {
    assert_snapshot!(describe(&ticket(Paper::Mm58)));
}

#[test]
fn slip_80() {
    assert_snapshot!(describe(&slip(Paper::Mm80)));
}

#[test]
fn slip_58() {
    assert_snapshot!(describe(&slip(Paper::Mm58)));
}

#[test]
fn green_assisted_ticket_at_a_sub_centre() {
    let hall = hall();
    let mut view = sample::ticket_view(&hall).unwrap();
    view.priority = lobby_core::api::Lane::Green;
    view.group = Some("elderly".into());
    view.assisted = true;
    view.site = "rs".into();
    view.ahead = 0;
    view.estimated_wait_s = 0;
    let t = TicketPrint::new(
        &view,
        &HallView::from(&hall),
        "https://zwfw.minle.example/",
        Lang::Zh,
    );
    let bytes = render::ticket(&t, &Profile::with_paper(Paper::Mm58));
    assert_snapshot!(describe(&bytes));
}

#[test]
fn an_80mm_ticket_is_under_600_bytes() {
    let bytes = ticket(Paper::Mm80);
    assert!(bytes.len() < 600, "{} bytes", bytes.len());
}

#[test]
fn every_stream_starts_with_reset_then_chinese_mode_and_never_selects_a_code_page() {
    for bytes in [
        ticket(Paper::Mm58),
        ticket(Paper::Mm80),
        slip(Paper::Mm58),
        slip(Paper::Mm80),
    ] {
        assert_eq!(&bytes[..4], b"\x1b@\x1c&");
        let text = describe(&bytes);
        assert!(!text.contains("ESC t"), "a code page was selected");
        // One reset only, so FS & follows every reset.
        assert_eq!(text.matches("ESC @").count(), 1);
        assert!(
            text.trim_end()
                .lines()
                .nth_back(1)
                .unwrap()
                .starts_with("GS V 65 3")
        );
    }
}

/// Every matter of the live catalogue (assets/matters.toml) prints a slip
/// whose every line fits the paper, at both widths, keeping every
/// character of its materials.
#[test]
fn every_matter_of_the_default_catalogue_fits_both_papers() {
    let hall = HallView::from(&lobby_core::builtin::hall().unwrap());
    let now = sample::AT.parse().unwrap();
    assert!(!hall.matters.is_empty());
    for paper in [Paper::Mm58, Paper::Mm80] {
        let profile = Profile::with_paper(paper);
        for matter in &hall.matters {
            let bytes = render::slip(&SlipPrint::new(&hall, matter, now), &profile);
            let lines = printed_lines(&bytes);
            for (text, width) in &lines {
                assert!(
                    *width <= paper.columns(),
                    "{}: {text:?} is {width} columns on {} mm",
                    matter.id,
                    paper.mm()
                );
            }
            let all: String = lines.iter().map(|(t, _)| t.replace(' ', "")).collect();
            for m in &matter.materials {
                assert!(
                    all.contains(&m.name.replace(' ', "")),
                    "{}: {} lost",
                    matter.id,
                    m.name
                );
            }
            // Nothing the printer font lacks was replaced by "?".
            let (_, sum) = decode(&bytes);
            assert_eq!(sum.unknown, 0);
            assert!(!all.contains('?'), "{}: a character was lost", matter.id);
        }
    }
}

#[test]
fn tickets_fit_both_papers() {
    for paper in [Paper::Mm58, Paper::Mm80] {
        for (text, width) in printed_lines(&ticket(paper)) {
            assert!(width <= paper.columns(), "{text:?}: {width} columns");
        }
    }
}

fn wqy() -> RasterFont {
    let path = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
    let data = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (apt-get install fonts-wqy-microhei)"));
    RasterFont::from_bytes(data).unwrap()
}

/// A printer without a Chinese font and without `GS ( k`: every Chinese
/// line and the QR code are rasterised, ASCII lines stay text.
#[test]
fn ticket_without_chinese_font_rasterises_per_line() {
    let hall = hall();
    let profile = Profile {
        chinese: ChineseFont::None,
        qr: QrMode::Raster,
        ..Profile::with_paper(Paper::Mm80)
    };
    let t = sample::ticket(&hall).unwrap();
    let bytes = render::ticket_with_font(&t, &profile, &wqy());
    let text = describe(&bytes);
    assert!(!text.contains("FS &"));
    assert!(text.contains("\"B008\" LF"), "the number stays text");
    assert_snapshot!(text);
}

/// A GB 2312 printer lacks 喆: only that line is rasterised; 7–20's en
/// dash (GBK, not GB 2312) is replaced by a hyphen instead.
#[test]
fn a_rare_character_rasterises_only_its_line() {
    let hall = hall();
    let mut t = sample::ticket(&hall).unwrap();
    t.centre = "民乐县政务服务中心".into();
    t.matter = Some("王喆 名下房屋转移登记".into());
    let profile = Profile {
        chinese: ChineseFont::Gb2312,
        ..Profile::with_paper(Paper::Mm80)
    };
    let bytes = render::ticket_with_font(&t, &profile, &wqy());
    let (_, sum) = decode(&bytes);
    assert_eq!(sum.raster_images, 1);
    let text = describe(&bytes);
    assert!(text.contains("7-20 号窗口"), "{text}");
    // Without a raster font the character is marked, the layout kept.
    let bytes = render::ticket(&t, &profile);
    assert!(describe(&bytes).contains("王?? 名下房屋转移登记"));
}
