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
