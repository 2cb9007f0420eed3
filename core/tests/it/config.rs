//! Loading halls: the default hall, and errors reported with their places.

use lobby_core::config::{self, SourceFile};
use lobby_core::{CategoryId, WindowNo};

use crate::harness::{SMALL, default_hall};

#[test]
fn the_default_hall_is_the_seed_centre() {
    let hall = default_hall();
    let main = hall.main_site();
    assert_eq!(main.name, "民乐县政务服务中心大厅");
    let in_main: Vec<_> = hall
        .categories
        .iter()
        .filter(|c| c.site == main.id)
        .collect();
    assert_eq!(in_main.len(), 10, "ten categories in the main hall");
    let named = [
        "投资项目审批",
        "不动产登记",
        "市场监管",
        "税务服务",
        "公安司法",
        "社会保障",
        "综合事务代办",
    ];
    for name in named {
        assert!(
            in_main.iter().any(|c| c.name == name && !c.assumed),
            "{name} is there"
        );
    }
    assert_eq!(in_main.iter().filter(|c| c.assumed).count(), 3);
    let main_windows = hall.windows.iter().filter(|w| w.site == main.id).count();
    assert_eq!(main_windows, 67);
    let comprehensive = hall.window(WindowNo(64)).unwrap();
    assert!(
        comprehensive.categories.len() >= 4,
        "64 is a comprehensive window"
    );
    let subs: Vec<_> = hall
        .sites
        .iter()
        .filter(|s| s.kind == lobby_core::hall::SiteKind::SubCentre)
        .collect();
    assert_eq!(subs.len(), 4);
    for s in subs {
        assert!(
            hall.windows.iter().any(|w| w.site == s.id),
            "{} has windows",
            s.name
        );
    }
    assert!(hall.matters_of(&CategoryId::from("bdc")).count() >= 1);
}

fn problems(text: &str) -> Vec<String> {
    let file = SourceFile {
        name: "hall.toml".into(),
        text: text.into(),
    };
    match config::parse(&[file]) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_problem_is_reported_with_file_line_and_field() {
    let broken = SMALL
        .replace("prefix = \"C\"", "prefix = \"c1\"")
        .replace("categories = [\"b\"]", "categories = [\"nope\"]")
        .replace("start = \"14:00\"", "start = \"2pm\"")
        .replace(
            "service_min = 10\n\n[[categories]]\nid = \"c\"",
            "service_mins = 10\n\n[[categories]]\nid = \"c\"",
        );
    let found = problems(&broken);
    insta::assert_snapshot!(found.join("\n"));
}

#[test]
fn a_syntax_error_names_its_line() {
    let found = problems("[centre]\nname = \"x\"\nday_change = \n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("hall.toml:3:"), "{}", found[0]);
}

#[test]
fn a_missing_include_is_reported_at_the_include() {
    let main = SourceFile {
        name: "hall.toml".into(),
        text: format!("include = [\"gone.toml\"]\n{SMALL}"),
    };
    let err = config::load(main, |_| Err("no such file".into())).unwrap_err();
    assert_eq!(
        err.0[0].to_string(),
        "hall.toml:1:12: include: cannot read `gone.toml`: no such file"
    );
}

#[test]
fn a_category_no_window_serves_is_refused() {
    let found = problems(&SMALL.replace("categories = [\"c\"]", "categories = [\"a\"]"));
    assert!(
        found
            .iter()
            .any(|p| p.contains("no window serves category `c`")),
        "{found:?}"
    );
}

/// `SMALL` with `from` replaced by `to`, checking the replacement happened.
fn small_with(edits: &[(&str, &str)]) -> String {
    let mut text = SMALL.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "SMALL has {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn overlapping_sessions_are_refused_at_the_second_one() {
    let found = problems(&small_with(&[
        (
            "start = \"09:00\"\nend = \"12:00\"",
            "start = \"08:30\"\nend = \"15:00\"",
        ),
        ("end = \"17:00\"", "end = \"17:30\""),
    ]));
    assert_eq!(
        found,
        [
            "hall.toml:32:9: sessions[1].start: session `下午` (14:00–17:30) overlaps \
             session `上午` (08:30–15:00, sessions[0]) on mon-fri: a time of day belongs \
             to one session only; let one end where the other starts"
        ]
    );
}

#[test]
fn an_extended_session_may_not_overlap_a_regular_one_either() {
    // The day's closing time and who may issue are read from one session at
    // a time: an extended session inside a regular one would end the day at
    // its own end.
    let found = problems(&small_with(&[(
        "[[categories]]\nid = \"a\"",
        "[[sessions]]\nname = \"午间\"\ndays = [\"wed\"]\nstart = \"11:30\"\nend = \"14:30\"\n\
         issuing = \"guide_desk\"\nextended = true\n\n[[categories]]\nid = \"a\"",
    )]));
    // Only its first overlap is reported: moving the session settles both.
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains(
            "sessions[2].start: session `午间` (11:30–14:30) overlaps session `上午` \
             (09:00–12:00, sessions[0]) on wed:"
        ),
        "{found:?}"
    );
}

#[test]
fn sessions_on_other_days_or_at_other_sites_do_not_overlap() {
    // The weekday sessions are the hall's only (a session naming no site
    // applies at every site, the sub-centre too).
    let found = problems(&small_with(&[
        ("end = \"12:00\"", "end = \"12:00\"\nsites = [\"hall\"]"),
        ("end = \"17:00\"", "end = \"17:00\"\nsites = [\"hall\"]"),
        (
            "[[green_groups]]",
            "[[sites]]\nid = \"rs\"\nname = \"人社分中心\"\nkind = \"sub_centre\"\n\n[[green_groups]]",
        ),
        (
            "[[categories]]\nid = \"a\"",
            // Saturday duty at the hall, a long day at the sub-centre only,
            // and a lunch session at the hall that ends where the afternoon
            // starts.
            "[[sessions]]\nname = \"周六\"\ndays = [\"sat\"]\nstart = \"08:00\"\nend = \"18:00\"\n\
             extended = true\nsites = [\"hall\"]\n\n\
             [[sessions]]\nname = \"人社\"\ndays = [\"mon-fri\"]\nstart = \"08:00\"\nend = \"18:00\"\n\
             sites = [\"rs\"]\n\n\
             [[sessions]]\nname = \"午间\"\ndays = [\"mon-fri\"]\nstart = \"12:00\"\nend = \"14:00\"\n\
             issuing = \"guide_desk\"\nextended = true\nsites = [\"hall\"]\n\n\
             [[categories]]\nid = \"r\"\nprefix = \"R\"\nname = \"人社\"\nsite = \"rs\"\n\n\
             [[windows]]\nnumber = 101\nsite = \"rs\"\ncategories = [\"r\"]\n\n\
             [[categories]]\nid = \"a\"",
        ),
    ]));
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn a_day_change_inside_a_session_is_refused() {
    let found = problems(&small_with(&[(
        "day_change = \"03:00\"",
        "day_change = \"10:00\"",
    )]));
    assert_eq!(
        found,
        [
            "hall.toml:4:14: centre.day_change: the day changes at 10:00, inside session \
             `上午` (09:00–12:00): tickets still waiting or called would expire and numbering \
             start again mid-session; set a time at or before 09:00, when kiosks start \
             issuing, e.g. \"03:00\""
        ]
    );
}

#[test]
fn a_day_change_while_kiosks_already_issue_is_refused() {
    let found = problems(&small_with(&[
        ("day_change = \"03:00\"", "day_change = \"08:45\""),
        ("issue_before_open_min = 0", "issue_before_open_min = 30"),
    ]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("hall.toml:4:14: centre.day_change: the day changes at 08:45, "),
        "{found:?}"
    );
    assert!(
        found[0].contains("30 min before session `上午` (09:00)")
            && found[0].contains("policy.issue_before_open_min")
            && found[0].contains("at or before 08:30"),
        "{found:?}"
    );
}

#[test]
fn a_day_change_between_sessions_or_after_closing_is_refused() {
    for (at, says) in [
        ("13:00", "between sessions `上午` and `下午`"),
        ("20:00", "after the last session"),
    ] {
        let found = problems(&small_with(&[(
            "day_change = \"03:00\"",
            &format!("day_change = \"{at}\""),
        )]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("centre.day_change") && found[0].contains(says),
            "{at}: {found:?}"
        );
    }
}

#[test]
fn a_day_change_before_kiosks_issue_is_accepted() {
    for (at, early) in [("00:00", 30), ("08:30", 30), ("09:00", 0)] {
        let found = problems(&small_with(&[
            ("day_change = \"03:00\"", &format!("day_change = \"{at}\"")),
            (
                "issue_before_open_min = 0",
                &format!("issue_before_open_min = {early}"),
            ),
        ]));
        assert_eq!(found, Vec::<String>::new(), "{at} with {early} min");
    }
}

#[test]
fn the_default_day_change_is_checked_too() {
    // Without day_change the day changes at 03:00, while kiosks issue
    // from 02:30 for a session at 03:00.
    let found = problems(&small_with(&[
        ("day_change = \"03:00\"\n", ""),
        ("issue_before_open_min = 0", "issue_before_open_min = 30"),
        ("start = \"09:00\"", "start = \"03:00\""),
    ]));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(
            "hall.toml:2:2: centre.day_change: without day_change the day changes at 03:00, "
        ),
        "{found:?}"
    );
}

#[test]
fn a_misspelt_category_field_is_reported_once_with_a_hint() {
    // Category b is served by windows 2 and 3: they must not report it as
    // unknown because its entry could not be read.
    let found = problems(&small_with(&[(
        "name = \"乙业务\"\nservice_min = 10",
        "name = \"乙业务\"\nservce_min = 10",
    )]));
    assert_eq!(
        found,
        [
            "hall.toml:48:1: categories[1].servce_min: unknown field `servce_min`; did you mean `service_min`?"
        ]
    );
}

#[test]
fn an_unreadable_entry_adds_no_errors_elsewhere() {
    for (from, to, field) in [
        // The only site: no "no [[sites]]".
        ("kind = \"hall\"", "kind = \"hal\"", "sites[0].kind"),
        // The only window serving c: no "no window serves category c".
        (
            "number = 4\ncategories = [\"c\"]",
            "number = 4\ncategories = [\"c\"]\nlabel = 4",
            "windows[3].label",
        ),
        // A category only a matter names.
        (
            "id = \"a\"\nprefix = \"A\"",
            "id = \"a\"\nprefix = \"A\"\nassumed = \"yes\"",
            "categories[0].assumed",
        ),
        // [centre]: no "missing [centre]".
        ("name = \"测试中心\"", "nam = \"测试中心\"", "centre.nam"),
        // [policy]: read with its defaults, nothing else to say.
        ("max_recalls = 2", "max_recals = 2", "policy.max_recals"),
    ] {
        let found = problems(&small_with(&[(from, to)]));
        assert_eq!(found.len(), 1, "{to}: {found:?}");
        assert!(found[0].contains(&format!(": {field}: ")), "{found:?}");
    }
    let found = problems(&small_with(&[(
        "start = \"09:00\"\nend = \"12:00\"",
        "start = 9\nend = \"12:00\"",
    )]));
    assert_eq!(found.len(), 1, "{found:?}");
    let found = problems(
        &small_with(&[("name = \"上午\"", "nme = \"上午\"")])
            .replace("name = \"下午\"", "nme = \"下午\""),
    );
    assert_eq!(found.len(), 2, "no \"no [[sessions]]\": {found:?}");
}

#[test]
fn a_type_error_points_at_the_field() {
    let found = problems(&small_with(&[
        (
            "name = \"丙业务\"\nservice_min = 10",
            "name = \"丙业务\"\nservice_min = \"five\"",
        ),
        ("day_change = \"03:00\"", "day_change = 3"),
        (
            "kind = \"approval\"",
            "kind = \"approval\"\nmaterials = [{ name = \"身份证\" }, { name = \"户口簿\", copies = \"two\" }]",
        ),
    ]));
    assert_eq!(
        found,
        [
            "hall.toml:4:14: centre.day_change: invalid type: integer `3`, expected a string",
            "hall.toml:54:15: categories[2].service_min: invalid type: string \"five\", \
             expected a number",
            "hall.toml:78:57: matters[0].materials[1].copies: invalid type: string \"two\", \
             expected a whole number",
        ]
    );
}
