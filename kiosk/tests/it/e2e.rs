//! The real kiosk under Xvfb (Mesa software Vulkan) against the real
//! server, printing to a serial printer on a pseudo-terminal, clicked with
//! xdotool. Screenshots of every screen go to `target/screenshots/kiosk/`.

use std::time::Duration;

use crate::rig::{Kiosk, PtyPrinter, Server, Xvfb, target_dir, wait_for};

#[test]
fn visitor_takes_a_ticket_through_faults_and_outages() {
    let tmp = std::env::temp_dir().join(format!("lobby-kiosk-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let shots = target_dir().join("screenshots/kiosk");
    let _ = std::fs::remove_dir_all(&shots);

    let x = Xvfb::start(1280, 1024);
    let mut server = Server::start(&tmp);
    let token = server.kiosk_token();
    let printer = PtyPrinter::start(&tmp);
    let kiosk = Kiosk::start(&x, &server, &token, &printer.path, &shots);

    // Home: category → 直接取号 → ticket.
    let home = kiosk.wait_screen("home", 0);
    assert!(home.buttons.iter().any(|b| b.action == "category:bdc"));
    assert!(
        home.buttons.iter().all(|b| b.w >= 64.0 && b.h >= 64.0),
        "targets ≥ 15 mm"
    );
    kiosk.wait_screenshot(&home);
    kiosk.click(&home, "category:bdc");
    let matters = kiosk.wait_screen("matters", home.seq);
    kiosk.wait_screenshot(&matters);
    kiosk.click(&matters, "no_matter");
    let ticket = kiosk.wait_screen("ticket", matters.seq);
    wait_for("the ticket on paper", Duration::from_secs(20), || {
        printer
            .paper
            .lock()
            .unwrap()
            .contains(b"B001")
            .then_some(())
    });
    assert_eq!(server.waiting("bdc"), 1, "the server issued it");
    kiosk.wait_screenshot(&ticket);
    // And says it aloud (espeak-ng), for visitors who read with difficulty.
    let said = wait_for("the number said aloud", Duration::from_secs(30), || {
        std::fs::read_to_string(shots.join("voice/0001.txt")).ok()
    });
    assert!(said.contains("您的号码是 B 零零一"), "{said}");
    assert!(shots.join("voice/0001.wav").is_file());

    // Green channel: three taps to a priority ticket with a matter-less slip.
    kiosk.click(&ticket, "home");
    let home = kiosk.wait_screen("home", ticket.seq);
    kiosk.click(&home, "green_channel");
    let groups = kiosk.wait_screen("greenchannel", home.seq);
    kiosk.wait_screenshot(&groups);
    kiosk.click(&groups, "group:elderly");
    let categories = kiosk.wait_screen("greenchannel", groups.seq);
    kiosk.click(&categories, "category:shbz");
    let green = kiosk.wait_screen("ticket", categories.seq);
    wait_for("the green ticket", Duration::from_secs(20), || {
        printer
            .paper
            .lock()
            .unwrap()
            .contains(b"F001")
            .then_some(())
    });
    assert_eq!(server.waiting("shbz"), 1);

    // Appointment keypad (a screenshot; the code is unknown to the server).
    kiosk.click(&green, "home");
    let home = kiosk.wait_screen("home", green.seq);
    kiosk.click(&home, "appointment");
    let keypad = kiosk.wait_screen("appointment", home.seq);
    kiosk.click(&keypad, "key:7");
    let typed = kiosk.wait_screen("appointment", keypad.seq);
    kiosk.wait_screenshot(&typed);
    kiosk.click(&typed, "check_in");
    let refused = kiosk.wait_screen("notice", typed.seq);
    kiosk.wait_screenshot(&refused);

    // Out of paper: the number stays, staff see it, reprint when back.
    printer.paper.lock().unwrap().out = true;
    kiosk.click(&refused, "home");
    let home = kiosk.wait_screen("home", refused.seq);
    kiosk.click(&home, "category:sw");
    let matters = kiosk.wait_screen("matters", home.seq);
    kiosk.click(&matters, "no_matter");
    let fault = wait_for("the fault on screen", Duration::from_secs(20), || {
        let l = kiosk.wait_screen("ticket", matters.seq);
        l.buttons.iter().any(|b| b.action == "reprint").then_some(l)
    });
    kiosk.wait_screenshot(&fault);
    assert!(!printer.paper.lock().unwrap().contains(b"D001"));
    wait_for("the fault at the server", Duration::from_secs(20), || {
        let devices = server.get("/api/devices");
        (devices.to_string().contains("paper_end")).then_some(())
    });
    printer.paper.lock().unwrap().out = false;
    let back = wait_for("reprint enabled", Duration::from_secs(20), || {
        let l = kiosk.wait_screen("ticket", fault.seq);
        l.buttons
            .iter()
            .any(|b| b.action == "reprint" && !b.disabled)
            .then_some(l)
    });
    kiosk.click(&back, "reprint");
    wait_for("the reprinted ticket", Duration::from_secs(20), || {
        printer
            .paper
            .lock()
            .unwrap()
            .contains(b"D001")
            .then_some(())
    });

    // Server away: 暂停取号, then home again by itself.
    kiosk.click(&back, "home");
    let home = kiosk.wait_screen("home", back.seq);
    server.stop();
    let paused = kiosk.wait_screen("paused", home.seq);
    kiosk.wait_screenshot(&paused);
    server.restart();
    let home = kiosk.wait_screen("home", paused.seq);
    kiosk.click(&home, "category:sw");
    let matters = kiosk.wait_screen("matters", home.seq);
    kiosk.click(&matters, "no_matter");
    kiosk.wait_screen("ticket", matters.seq);
    wait_for("a ticket after recovery", Duration::from_secs(20), || {
        printer
            .paper
            .lock()
            .unwrap()
            .contains(b"D002")
            .then_some(())
    });
    let _ = std::fs::remove_dir_all(&tmp);
}
