//! The visitor's flows on a kiosk without a window: taps are clicks
//! triggered on the buttons on screen, the server's and the printer's
//! answers are the messages their threads would bring.

use std::time::Duration;

use lobby_core::api::{ErrorDetail, Lane, QueueView};
use lobby_core::{CategoryId, GroupId, MatterId};
use lobby_kiosk::Screen;
use lobby_kiosk::printing::{JobKind, PrintEvent, PrintRequest};
use lobby_kiosk::server::{ServerEvent, ServerRequest};
use lobby_kiosk::ui::{Action, Disabled};
use lobby_printer::PrinterStatus;

use crate::harness::{Kiosk, hall, ticket};

fn category(id: &str) -> Action {
    Action::Category(CategoryId::from(id))
}

fn matter(id: &str) -> Action {
    Action::Matter(MatterId::from(id))
}

fn issued(k: &mut Kiosk) -> lobby_core::api::IssueRequest {
    let sent = k.sent_to_server();
    match sent.as_slice() {
        [ServerRequest::Issue(req)] => req.clone(),
        other => panic!("expected one issue request, got {other:?}"),
    }
}

#[test]
fn starts_paused_and_goes_home_when_the_server_answers() {
    let mut k = Kiosk::offline(false);
    assert_eq!(k.screen(), Screen::Paused);
    assert!(k.text().contains("暂停取号"));
    assert!(k.buttons().is_empty(), "nothing to tap while paused");
    k.server_says(ServerEvent::Hall(Box::new(hall())));
    k.server_says(ServerEvent::Back);
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn home_shows_the_halls_categories_green_channel_and_check_in() {
    let mut k = Kiosk::online(false);
    let hall = hall();
    let main: Vec<_> = hall.categories_at(None).collect();
    assert_eq!(main.len(), 10, "the main hall's ten categories");
    for c in &main {
        assert!(
            k.shows(&Action::Category(c.id.clone())),
            "{} on home",
            c.name
        );
    }
    assert!(k.shows(&Action::GreenChannel));
    assert!(k.shows(&Action::Appointment));
    assert!(!k.shows(&Action::ToggleAssisted), "guide-desk only");
    let text = k.text();
    assert!(
        text.contains("不动产登记") && text.contains("绿色通道"),
        "{text}"
    );
    assert!(text.contains("老、弱、病、残、军"), "{text}");
    // Waiting counts follow the queue.
    let mut queue: QueueView = serde_json::from_value(serde_json::json!({
        "day": null, "at": "2026-11-25T01:00:00Z", "windows": [],
        "categories": [{
            "category": "bdc", "waiting": 7, "green": 0, "longest_wait_s": 0,
            "estimated_wait_s": 900, "name": "不动产登记", "prefix": "B", "site": "hall",
            "issued": 9, "completed": 2, "no_shows": 0, "expired": 0, "mean_wait_s": 0
        }]
    }))
    .unwrap();
    k.server_says(ServerEvent::Queue(Box::new(queue.clone())));
    assert!(k.text().contains("等候 7 人"), "{}", k.text());
    queue.categories[0].queue.waiting = 8;
    k.server_says(ServerEvent::Queue(Box::new(queue.clone())));
    assert!(k.text().contains("等候 8 人"));
    assert!(!k.text().contains("今日预计办理不完"), "{}", k.text());
    // Late in the day the queue is longer than the hours left: the
    // visitor is told before taking a number.
    queue.categories[0].queue.past_close = true;
    k.server_says(ServerEvent::Queue(Box::new(queue)));
    assert!(k.text().contains("今日预计办理不完"), "{}", k.text());
}

#[test]
fn category_matter_ticket_in_two_taps_then_the_slip() {
    let mut k = Kiosk::online(false);
    k.tap(category("bdc"));
    assert_eq!(k.screen(), Screen::Matters);
    assert!(k.shows(&Action::NoMatter), "直接取号");
    assert!(k.shows(&Action::Back) && k.shows(&Action::Home));
    k.tap(matter("BDC-002"));
    assert_eq!(k.screen(), Screen::Issuing);
    let req = issued(&mut k);
    assert_eq!(req.category, CategoryId::from("bdc"));
    assert_eq!(req.matter, Some(MatterId::from("BDC-002")));
    assert_eq!(req.priority, Lane::Normal);
    assert!(!req.assisted);

    let t = ticket("bdc", "B", 23, Some("BDC-002"));
    k.server_says(ServerEvent::Issued(Box::new(t.clone())));
    assert_eq!(k.screen(), Screen::Ticket);
    assert_eq!(k.sent_to_printer(), vec![PrintRequest::Ticket(Box::new(t))]);
    let text = k.text();
    assert!(text.contains("B023"), "{text}");
    assert!(text.contains("前面还有 4 人，预计等候约 11 分钟"), "{text}");
    assert!(text.contains("B 区 7–20 号窗口"), "{text}");
    assert!(text.contains("正在打印"), "{text}");

    k.printer_says(PrintEvent::Printed(JobKind::Ticket));
    assert!(k.text().contains("请取走号票"));
    // English on request, names included.
    k.tap(Action::ToggleLang);
    let text = k.text();
    assert!(text.contains("Real estate registration"), "{text}");
    assert!(text.contains("4 ahead of you, about 11 min"), "{text}");
    k.tap(Action::ToggleLang);
    // The one-time notification slip of the chosen matter.
    k.tap(Action::PrintSlip);
    assert_eq!(
        k.sent_to_printer(),
        vec![PrintRequest::Slip(MatterId::from("BDC-002"))]
    );
    k.printer_says(PrintEvent::Printed(JobKind::Slip));
    assert!(k.text().contains("告知单已打印"), "{}", k.text());
    k.tap(Action::Home);
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn just_take_a_number_without_a_matter() {
    let mut k = Kiosk::online(false);
    k.tap(category("sw"));
    k.tap(Action::NoMatter);
    let req = issued(&mut k);
    assert_eq!(req.category, CategoryId::from("sw"));
    assert_eq!(req.matter, None);
    k.server_says(ServerEvent::Issued(Box::new(ticket("sw", "D", 1, None))));
    assert!(!k.shows(&Action::PrintSlip), "no matter, no slip");
}

#[test]
fn matters_page_without_scrolling() {
    let mut k = Kiosk::online(false);
    k.tap(category("bdc"));
    // Nine matters: eight on the first page, the ninth on the second.
    assert!(k.shows(&matter("BDC-008")));
    assert!(!k.shows(&matter("BDC-009")));
    k.tap(Action::NextPage);
    assert!(k.shows(&matter("BDC-009")));
    assert!(k.text().contains("第 2 / 2 页"));
    let next_disabled = {
        let (e, _) = k
            .buttons()
            .into_iter()
            .find(|(_, a)| *a == Action::NextPage)
            .unwrap();
        k.app.world().get::<Disabled>(e).is_some()
    };
    assert!(next_disabled, "no page after the last");
    // A disabled button swallows the tap.
    k.tap(Action::NextPage);
    assert!(k.shows(&matter("BDC-009")));
    k.tap(Action::Back);
    assert!(k.shows(&matter("BDC-001")), "back to the first page");
    k.tap(Action::Back);
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn green_channel_is_three_taps_to_a_priority_ticket() {
    let mut k = Kiosk::online(false);
    k.tap(Action::GreenChannel);
    assert_eq!(k.screen(), Screen::GreenChannel);
    for g in &hall().green_groups {
        assert!(k.shows(&Action::Group(g.id.clone())), "{}", g.name);
    }
    k.tap(Action::Group(GroupId::from("elderly")));
    assert!(k.text().contains("老年人"));
    k.tap(category("shbz"));
    let req = issued(&mut k);
    assert_eq!(req.priority, Lane::Green);
    assert_eq!(req.group, Some(GroupId::from("elderly")));
    assert_eq!(req.category, CategoryId::from("shbz"));
    assert_eq!(req.matter, None);
}

#[test]
fn appointment_code_on_the_keypad() {
    let mut k = Kiosk::online(false);
    k.tap(Action::Appointment);
    assert_eq!(k.screen(), Screen::Appointment);
    for key in ['1', '2', '3'] {
        k.tap(Action::Key(key));
    }
    k.tap(Action::Delete);
    k.tap(Action::Key('9'));
    assert!(k.text().contains("129"), "{}", k.text());
    k.tap(Action::CheckIn);
    assert_eq!(
        k.sent_to_server(),
        vec![ServerRequest::CheckIn("129".into())]
    );
    assert_eq!(k.screen(), Screen::Issuing);
    k.server_says(ServerEvent::Refused(ErrorDetail {
        code: "unknown_appointment".into(),
        message: "没有这个预约码".into(),
        field: Some("code".into()),
    }));
    assert_eq!(k.screen(), Screen::Notice);
    assert!(k.text().contains("没有这个预约码"));
}

#[test]
fn idle_visitor_goes_home_after_30_seconds_in_chinese() {
    let mut k = Kiosk::online(false);
    k.tap(Action::ToggleLang);
    assert!(k.text().contains("Green channel"), "{}", k.text());
    k.tap(category("bdc"));
    k.wait(Duration::from_secs(29));
    assert_eq!(k.screen(), Screen::Matters, "not before 30 s");
    // A tap restarts the clock.
    k.tap(Action::NextPage);
    k.wait(Duration::from_secs(29));
    assert_eq!(k.screen(), Screen::Matters);
    k.wait(Duration::from_secs(2));
    assert_eq!(k.screen(), Screen::Home);
    assert!(k.text().contains("绿色通道"), "Chinese again: {}", k.text());
    // Home itself never resets (nothing to reset).
    k.wait(Duration::from_secs(40));
    assert_eq!(k.screen(), Screen::Home);
}

#[test]
fn printer_out_of_paper_keeps_the_number_tells_staff_and_reprints() {
    let mut k = Kiosk::online(false);
    k.tap(category("sw"));
    k.tap(Action::NoMatter);
    let t = ticket("sw", "D", 5, None);
    k.server_says(ServerEvent::Issued(Box::new(t.clone())));
    k.sent_to_server();
    k.sent_to_printer();
    k.printer_says(PrintEvent::Failed {
        kind: JobKind::Ticket,
        status: PrinterStatus::PaperEnd,
    });
    assert_eq!(k.screen(), Screen::Ticket);
    let text = k.text();
    assert!(text.contains("D005"), "the number stays: {text}");
    assert!(text.contains("打印机缺纸"), "{text}");
    // Staff are told through the server.
    match k.sent_to_server().as_slice() {
        [ServerRequest::ReportPrinter(r)] => assert_eq!(r.status, "paper_end"),
        other => panic!("{other:?}"),
    }
    // No reprint while the paper is out.
    k.tap(Action::Reprint);
    assert!(k.sent_to_printer().is_empty());
    // The number stays well beyond the usual idle time.
    k.wait(Duration::from_secs(60));
    assert_eq!(k.screen(), Screen::Ticket);
    // Paper is back: reprint.
    k.printer_says(PrintEvent::Ready);
    match k.sent_to_server().as_slice() {
        [ServerRequest::ReportPrinter(r)] => assert_eq!(r.status, "ok"),
        other => panic!("{other:?}"),
    }
    assert!(k.text().contains("打印机已恢复"));
    k.tap(Action::Reprint);
    assert_eq!(k.sent_to_printer(), vec![PrintRequest::Ticket(Box::new(t))]);
    k.printer_says(PrintEvent::Printed(JobKind::Ticket));
    assert!(k.text().contains("请取走号票"));
}

#[test]
fn server_lost_pauses_issuing_but_not_a_ticket_on_screen() {
    let mut k = Kiosk::online(false);
    k.tap(category("bdc"));
    k.server_says(ServerEvent::Lost);
    assert_eq!(k.screen(), Screen::Paused);
    k.server_says(ServerEvent::Back);
    assert_eq!(k.screen(), Screen::Home);

    k.tap(category("sw"));
    k.tap(Action::NoMatter);
    k.server_says(ServerEvent::Issued(Box::new(ticket("sw", "D", 2, None))));
    k.server_says(ServerEvent::Lost);
    assert_eq!(k.screen(), Screen::Ticket, "the ticket stays readable");
    k.tap(Action::Home);
    assert_eq!(k.screen(), Screen::Paused);
}

#[test]
fn refusals_are_explained() {
    let mut k = Kiosk::online(false);
    k.tap(category("sw"));
    k.tap(Action::NoMatter);
    k.server_says(ServerEvent::Refused(ErrorDetail {
        code: "closed".into(),
        message: "当前不在取号时间".into(),
        field: None,
    }));
    assert_eq!(k.screen(), Screen::Notice);
    assert!(k.text().contains("当前不在取号时间"));
    assert!(k.shows(&Action::Home));
}

#[test]
fn guide_desk_issues_assisted_tickets_and_prints_any_slip() {
    let mut k = Kiosk::online(true);
    assert!(k.shows(&Action::ToggleAssisted) && k.shows(&Action::SlipMode));
    k.tap(Action::ToggleAssisted);
    assert!(k.text().contains("帮办代办：开"));
    k.tap(category("zhdb"));
    k.tap(Action::NoMatter);
    assert!(issued(&mut k).assisted);
    let mut t = ticket("zhdb", "G", 3, None);
    t.assisted = true;
    k.server_says(ServerEvent::Issued(Box::new(t)));
    assert!(k.text().contains("帮办代办"));
    k.sent_to_printer();
    k.tap(Action::Home);
    assert!(k.text().contains("帮办代办：开"), "staff keep it on");

    k.tap(Action::SlipMode);
    assert!(k.text().contains("打印一次性告知单"), "{}", k.text());
    k.tap(category("scjg"));
    assert!(!k.shows(&Action::NoMatter), "slips only");
    k.tap(matter("SCJG-003"));
    assert_eq!(
        k.sent_to_printer(),
        vec![PrintRequest::Slip(MatterId::from("SCJG-003"))]
    );
    assert!(k.sent_to_server().is_empty(), "no ticket");
    assert_eq!(k.screen(), Screen::Notice);
    k.printer_says(PrintEvent::Printed(JobKind::Slip));
    assert!(k.text().contains("已打印"));
}
