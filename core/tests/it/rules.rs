//! The ticket lifecycle and dispatch rules, as transcripts of a day.

use crate::harness::{SMALL, default_hall, hall_of, run, run_on, small_hall};

#[test]
fn issue_numbers_per_category_and_call_in_order() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:01 issue t2 a
        09:02 issue t3 b
        09:03 call 1
        09:04 complete 1
        09:05 call 1
        09:06 call 3
    "
    ));
}

#[test]
fn green_channel_first_but_bounded() {
    // Four green tickets arrive after two normal ones; the window calls two
    // green tickets, then the oldest normal one, then green again.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue n1 a
        09:00 issue n2 a
        09:01 issue g1 a green
        09:01 issue g2 a green
        09:01 issue g3 a green
        09:01 issue g4 a green
        09:02 call 1
        09:03 complete 1
        09:03 call 1
        09:04 complete 1
        09:04 call 1
        09:05 complete 1
        09:05 call 1
        09:06 complete 1
        09:06 call 1
        09:07 complete 1
        09:07 call 1
    "
    ));
}

#[test]
fn overflow_helps_only_after_the_threshold_or_when_idle() {
    // Window 2 serves a, with b as overflow (after 10 minutes).
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue b1 b
        09:01 issue a1 a
        09:02 call 2
        09:02 complete 2
        09:03 issue a2 a
        09:12 call 2
        09:13 complete 2
        09:13 call 2
    "
    ));
}

#[test]
fn overflow_goes_first_once_further_behind_its_deadline() {
    // Window 2 serves a, with b as overflow (10 minutes). Both categories
    // warn after 30 minutes, so window 2 calls b before a once b's head was
    // issued more than 10 minutes before a's head.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue b1 b
        09:05 issue a1 a
        09:06 call 2
        09:06 complete 2
        09:11 issue a2 a
        09:12 call 2
        09:13 complete 2
        09:13 call 2
    "
    ));
}

#[test]
fn overflow_green_waits_for_its_category_then_goes_first() {
    // Window 2 serves a, with b as overflow (10 minutes); both warn after 30
    // minutes. b's green ticket g1 does not go ahead of window 2's own
    // visitors (09:17: a2, whose deadline 09:38 is before b's 09:40); once
    // b's oldest ticket is further behind than a's head, window 2 helps b and
    // calls its green ticket first, then b1.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue b1 b
        09:05 issue a1 a
        09:06 issue g1 b green
        09:07 call 2
        09:07 complete 2
        09:08 issue a2 a
        09:17 call 2
        09:17 complete 2
        09:18 issue a3 a
        09:19 call 2
        09:19 complete 2
        09:20 call 2
        09:20 complete 2
        09:21 call 2
    "
    ));
}

#[test]
fn recall_limit_then_automatic_no_show_and_one_reactivation() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:00 issue t2 a
        09:01 call 1
        09:02 recall 1
        09:03 recall 1
        09:04 recall 1
        09:05 tick
        09:06:01 tick
        09:07 reactivate t1
        09:08 call 1
        09:09 noshow 1
        09:10 reactivate t1
    "
    ));
}

#[test]
fn transfer_keeps_the_place() {
    // t1 is served at window 1, then sent to category b where t2 already
    // waits: t1 is called first because it was issued first.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:01 issue t2 b
        09:02 call 1
        09:03 start 1
        09:04 transfer 1 b
        09:05 call 3
    "
    ));
}

#[test]
fn transfer_to_a_window_comes_before_everything() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue g1 a green
        09:01 issue t1 a
        09:01 open 2
        09:02 call 1 t1
        09:03 transfer 1 2
        09:04 call 2
        09:05 transfer 2 2
        09:05 transfer 2 9
        09:06 close 2
        09:06 transfer 2 1
        09:07 close 1
        09:08 call 1
        09:09 complete 1
        09:09 close 1
    "
    ));
}

#[test]
fn multi_stop_visit_moves_on_keeping_its_place() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue v1 a stops=b,c
        09:01 issue t2 b
        09:02 call 1
        09:10 complete 1
        09:11 call 3
        09:20 complete 3
        09:21 call 4
        09:30 complete 4
        09:31 rate v1 5
        09:32 rate v1 4
    "
    ));
}

#[test]
fn pause_and_resume() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:01 pause 1 午休
        09:01 open 1
        09:02 pause 1 会议
        09:03 call 1
        09:04 resume 1
        09:04 resume 1
        09:05 call 1
        09:06 pause 1
    "
    ));
}

#[test]
fn who_works_a_window_is_recorded_and_handed_over() {
    // Signing in again is nothing new; a colleague taking the window over
    // is; calling opens a window without saying who; signing off forgets.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 open 1 wang
        09:01 open 1 wang
        09:02 open 1 zhao
        09:03 open 1
        09:04 close 1
        09:05 issue t1 a
        09:06 call 1
    "
    ));
}

#[test]
fn bad_commands_are_refused_with_reasons() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 nope
        09:00 issue t1 a matter=A-2
        09:00 issue t1 b matter=A-1
        09:00 issue t1 a group=pirates
        09:00 issue t1 a stops=a
        09:00 issue t1 a
        09:00 issue t1 a
        09:01 call 99
        09:01 recall 1
        09:01 start 1
        09:01 call 4 t1
        09:02 call 1 t1
        09:02 call 2
        09:03 start 1
        09:03 start 1
        09:03 noshow 1
        09:03 recall 1
        09:04 transfer 1 a
        09:04 cancel t1
        09:05 complete 1
        09:05 rate t1 1
    "
    ));
}

#[test]
fn quota_refuses_normal_tickets_but_not_green_ones() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:00 issue t2 a
        09:00 issue t3 a
        09:00 issue t4 a
        09:00 issue t5 a
        09:01 issue t6 a
        09:01 issue g1 a green
    "
    ));
}

#[test]
fn opening_hours_closing_and_the_next_day() {
    // Before opening, at lunch, after closing; at 17:30 what still waits
    // expires; the next morning numbering restarts.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        08:30 issue t0 a
        09:00 issue t1 a
        09:00 issue t2 a
        09:01 call 1
        12:30 issue t3 a
        12:30 issue d1 a desk
        17:10 issue t4 a
        17:29 tick
        17:30 tick
        17:31 complete 1
        day 2026-11-26
        09:00 issue t5 a
        09:01 call 1
    "
    ));
}

#[test]
fn yellow_cards_for_waiting_and_handling() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue t1 a
        09:00 issue t2 a
        09:01 call 1
        09:02 start 1
        09:21 tick
        09:22 tick
        09:29 tick
        09:30 tick
        09:31 tick
    "
    ));
}

#[test]
fn appointments_are_called_when_their_slot_comes() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 issue n1 a
        09:00 issue n2 a
        09:01 issue p1 a appt=30
        09:02 call 1
        09:02 complete 1
        09:20 call 1
    "
    ));
}

#[test]
fn estimates_before_opening_count_from_the_opening() {
    // Kiosks issue from 08:30; the hall opens at 09:00 with windows 1 and 2
    // serving a. The first two are called at the opening, the third waits
    // for half a service after it.
    let early = SMALL.replace("issue_before_open_min = 0", "issue_before_open_min = 30");
    insta::assert_snapshot!(run(
        hall_of(&early),
        "
        08:40 issue t1 a
        08:40 issue t2 a
        08:40 issue t3 a
        08:50 expect t1
        08:50 expect t3
        09:00 open 1
        09:00 open 2
        09:00 expect t3
    "
    ));
}

#[test]
fn estimates_at_lunch_wait_for_the_afternoon_where_no_window_serves() {
    // A lunchtime duty session (guide desk only) where window 3 stays for
    // b and nobody serves a: a ticket for a waits for the afternoon
    // session at 14:00, one for b is served at once.
    let lunch = SMALL.replace(
        "[[sessions]]\nname = \"下午\"",
        "[[sessions]]\nname = \"午间\"\ndays = [\"mon-fri\"]\nstart = \"12:00\"\n\
         end = \"14:00\"\nissuing = \"guide_desk\"\nextended = true\n\n\
         [[sessions]]\nname = \"下午\"",
    );
    assert_ne!(lunch, SMALL, "the lunch session is in the variant");
    insta::assert_snapshot!(run(
        hall_of(&lunch),
        "
        09:00 open 1
        09:00 open 3
        12:00 close 1
        12:10 issue l1 a desk
        12:10 issue l2 b desk
        13:00 expect l1
        14:00 open 1
        14:00 expect l1
    "
    ));
}

#[test]
fn estimates_count_tickets_that_will_join_ahead() {
    // Window 1 serves a, window 3 serves b. A green ticket and a one-stop
    // visitor moving on from b both go ahead of the normal tickets waiting
    // for a; after each, a new normal ticket is told a longer wait than
    // the people ahead alone would give (n3: 2.5 × 600 s = 1500 s; n4:
    // 4.5 × 600 s = 2700 s), and so is n2, already waiting.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 open 1
        09:00 open 3
        09:00 issue m1 b stops=a
        09:00 call 3
        09:00 issue n1 a
        09:00 call 1
        09:00 issue n2 a
        09:01 issue g1 a green
        09:01 issue n3 a
        09:01 expect n2
        09:05 complete 3
        09:05 issue n4 a
    "
    ));
}

#[test]
fn estimates_follow_people_ahead_and_service_times() {
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 open 1
        09:00 open 2
        09:00 issue t1 a
        09:00 issue t2 a
        09:00 issue t3 a
        09:00 issue t4 a
        09:00 expect t4
        09:01 call 1
        09:01 call 2
        09:01 expect t4
        09:05 complete 1
        09:05 call 1
        09:05 expect t4
    "
    ));
}

#[test]
fn estimates_between_sessions_wait_for_the_afternoon() {
    // Every window signed off at noon; the guide desk issues at 12:30. The
    // afternoon opens at 14:00 with windows 1 and 2 free for a: the ticket
    // waits an hour and a half, not half a service.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        09:00 open 1
        09:00 open 2
        12:00 close 1
        12:00 close 2
        12:30 issue x1 a desk
        12:30 issue x2 a desk
        12:30 issue x3 a desk
        14:00 open 1
        14:00 expect x3
    "
    ));
}

#[test]
fn estimates_learn_a_window_that_opens_late() {
    // Window 2 opens half an hour late on Wednesday morning. On Thursday
    // before the opening the third ticket is expected when window 1 has
    // served one and a half (09:15), not at 09:02:30 as if both opened on
    // time; its afternoon habit stays on time.
    let early = SMALL.replace("issue_before_open_min = 0", "issue_before_open_min = 30");
    insta::assert_snapshot!(run(
        hall_of(&early),
        "
        09:00 open 1
        09:30 open 2
        12:00 close 1
        12:00 close 2
        14:00 open 1
        14:00 open 2
        day 2026-11-26
        08:40 issue t1 a
        08:40 issue t2 a
        08:40 issue t3 a
        08:50 expect t3
    "
    ));
}

#[test]
fn estimates_do_not_count_a_window_that_never_opens() {
    // Window 2 serves a but nobody staffs it, morning or afternoon: after a
    // day the estimates count window 1 alone, before the opening too.
    let early = SMALL.replace("issue_before_open_min = 0", "issue_before_open_min = 30");
    insta::assert_snapshot!(run(
        hall_of(&early),
        "
        08:40 issue t1 a
        08:40 issue t2 a
        09:00 open 1
        day 2026-11-26
        08:40 issue u1 a
        08:40 issue u2 a
    "
    ));
}

#[test]
fn tickets_that_cannot_be_called_before_the_close_are_told_so() {
    // The afternoon ends at 17:00 and what still waits expires at 17:30.
    // With window 4 alone serving c (ten minutes each, the first called at
    // 16:30), the seventh ticket is expected at 17:25 and the eighth at
    // 17:35: it is told so when issued.
    insta::assert_snapshot!(run(
        small_hall(),
        "
        14:00 open 4
        16:30 issue t1 c desk
        16:30 call 4
        16:30 issue t2 c desk
        16:30 issue t3 c desk
        16:30 issue t4 c desk
        16:30 issue t5 c desk
        16:30 issue t6 c desk
        16:30 issue t7 c desk
        16:30 issue t8 c desk
        16:31 expect t7
        16:31 expect t8
    "
    ));
}

#[test]
fn yellow_cards_count_waiting_from_the_opening() {
    // Kiosks issue from 08:30 for a 09:00 opening; the card for waiting 30
    // minutes comes at 09:30, not at 09:10. Over lunch the clock stops.
    let early = SMALL.replace("issue_before_open_min = 0", "issue_before_open_min = 30");
    insta::assert_snapshot!(run(
        hall_of(&early),
        "
        08:40 issue t1 a
        09:10 tick
        09:29 tick
        09:30 tick
        11:50 issue t2 a
        12:20 tick
        14:00 tick
        14:19 tick
        14:20 tick
    "
    ));
}

#[test]
fn delegated_matters_are_issued_at_the_towns() {
    // 放权下沉: the county's social-security matters list the towns in
    // their `sites`. At Liuba they are taken by the town's one category,
    // asked for by the matter, or by the county category with the site;
    // what is not delegated is still refused.
    let hall = default_hall();
    let liuba = lobby_core::CategoryId::from("liuba");
    let delegated: Vec<&str> = hall.matters_of(&liuba).map(|m| m.id.as_str()).collect();
    assert!(delegated.contains(&"SHBZ-001"), "{delegated:?}");
    insta::assert_snapshot!(run(
        hall,
        "
        09:00 issue t1 liuba matter=SHBZ-001
        09:00 issue t2 shbz site=liuba
        09:00 issue t3 shbz site=liuba matter=SHBZ-001
        09:00 issue t4 bdc site=liuba
        09:00 issue t5 liuba matter=BDC-001
    "
    ));
}

#[test]
fn transfer_drops_a_matter_the_new_category_does_not_take() {
    let with_matters = SMALL.replace(
        "[[matters]]\nid = \"A-1\"",
        "[[matters]]\nid = \"B-1\"\nname = \"乙事项\"\ncategory = \"b\"\nkind = \"approval\"\n\n\
         [[matters]]\nid = \"A-1\"",
    );
    assert_ne!(with_matters, SMALL);
    let hall = hall_of(&with_matters);
    let mut lobby = lobby_core::Lobby::new(hall);
    let transcript = run_on(
        &mut lobby,
        "
        09:00 open 1
        09:00 issue t1 a matter=A-1
        09:00 call 1
        09:05 transfer 1 b
    ",
    );
    assert!(transcript.contains("transferred"), "{transcript}");
    let t = lobby.ticket(&lobby_core::TicketId::from("t1")).unwrap();
    assert_eq!(t.category.as_str(), "b");
    assert_eq!(t.matter, None, "A-1 is not a matter of b");
}
