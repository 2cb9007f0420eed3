//! Tickets and one-time notification slips (一次性告知单) as bytes.
//!
//! Pure: [`TicketPrint`] and [`SlipPrint`] hold everything printed (times
//! already in the hall's zone), and [`ticket`] / [`slip`] lay them out for
//! a [`Profile`] and encode them. No clock, no files, no ports.

use lobby_core::Lang;
use lobby_core::api::{HallView, Lane, MatterView, TicketView};
use lobby_core::hall::Material;
use lobby_core::jiff::Timestamp;
use lobby_core::jiff::civil::DateTime;

use crate::escpos::Align;
use crate::layout::{Block, Document, Style};
use crate::profile::{Paper, Profile};
use crate::raster::RasterFont;
use crate::text;

/// Everything printed on a queue ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrint {
    /// Centre name (header).
    pub centre: String,
    /// The site, where it is not the main hall ("县人社分中心").
    pub site: Option<String>,
    /// The number ("B023").
    pub number: String,
    /// Category name.
    pub category: String,
    /// Matter name, if chosen.
    pub matter: Option<String>,
    /// Green-channel group name ("老年人") for green tickets.
    pub green: Option<String>,
    /// 帮办代办.
    pub assisted: bool,
    /// Tickets before this one.
    pub ahead: u32,
    /// Estimated wait in seconds.
    pub estimated_wait_s: u32,
    /// Issue time, local to the hall.
    pub issued_at: DateTime,
    /// Where the category's windows are, if known.
    pub area: Option<String>,
    /// The public status page (`{base}/t/{id}`, with `#k=` and the rating
    /// key when the issue answer had one), printed as a QR code.
    pub status_url: Option<String>,
    /// Language of the labels.
    pub lang: Lang,
}

/// The address behind a ticket's QR code: its status page, and after `#k=`
/// (a fragment, so it reaches no server log) the key that lets the
/// visitor rate the visit there.
pub fn status_url(base: &str, view: &TicketView) -> String {
    let base = base.trim_end_matches('/');
    match &view.rating_key {
        Some(key) => format!("{base}/t/{}#k={key}", view.id),
        None => format!("{base}/t/{}", view.id),
    }
}

impl TicketPrint {
    /// The ticket as the server returned it, with the hall's names (in
    /// `lang`, falling back to the names the server put in the view) and
    /// time zone. `public_base` is the server's public address
    /// (`https://dating.example.gov.cn`); the QR code links to
    /// `{public_base}/t/{id}`. An empty base prints no QR code.
    pub fn new(view: &TicketView, hall: &HallView, public_base: &str, lang: Lang) -> TicketPrint {
        // A ticket of the main hall does not repeat its name under the
        // centre's.
        let site = (hall.main_site().map(|s| &s.id) != Some(&view.site))
            .then(|| hall.site(&view.site))
            .flatten()
            .map(|s| lang.pick(&s.name, &s.name_en).to_owned());
        let green = (view.priority == Lane::Green).then(|| {
            view.group
                .as_ref()
                .and_then(|g| hall.green_group(g))
                .map(|g| lang.pick(&g.name, &g.name_en).to_owned())
                .unwrap_or_default()
        });
        let category = hall
            .category(&view.category)
            .map_or(view.category_name.clone(), |c| {
                lang.pick(&c.name, &c.name_en).to_owned()
            });
        let matter = view
            .matter
            .as_ref()
            .and_then(|id| hall.matter(id))
            .map(|m| lang.pick(&m.name, &m.name_en).to_owned())
            .or_else(|| view.matter_name.clone());
        let base = public_base.trim_end_matches('/');
        TicketPrint {
            centre: lang
                .pick(&hall.centre.name, &hall.centre.name_en)
                .to_owned(),
            site,
            number: view.number.to_string(),
            category,
            matter,
            green,
            assisted: view.assisted,
            ahead: view.ahead,
            estimated_wait_s: view.estimated_wait_s,
            issued_at: hall.tz().to_datetime(view.issued_at),
            area: (!view.area.is_empty()).then(|| view.area.clone()),
            status_url: (!base.is_empty()).then(|| status_url(base, view)),
            lang,
        }
    }
}

/// Everything printed on a one-time notification slip.
#[derive(Debug, Clone)]
pub struct SlipPrint {
    /// Centre name.
    pub centre: String,
    /// The matter, as the hall's view holds it.
    pub matter: MatterView,
    /// Where to go: site name and window area ("民乐县政务服务中心大厅 B 区…").
    pub place: String,
    /// Enquiry phone (the matter's, else the centre's).
    pub phone: String,
    /// Print time, local to the hall.
    pub printed_at: DateTime,
}

impl SlipPrint {
    /// The slip for `matter`, printed at `now`. The place is the matter's
    /// first site, else the site of its category's windows, else the main
    /// hall, followed by the category's window area when those windows
    /// stand there. Slips are printed in Chinese: they are the centre's
    /// official notice (一次性告知单).
    pub fn new(hall: &HallView, matter: &MatterView, now: Timestamp) -> SlipPrint {
        let category = hall.category(&matter.category);
        let site = matter
            .sites
            .first()
            .and_then(|s| hall.site(s))
            .or_else(|| category.and_then(|c| hall.site(&c.site)))
            .or(hall.main_site());
        let mut place = site.map(|s| s.name.clone()).unwrap_or_default();
        if let Some(c) =
            category.filter(|c| Some(&c.site) == site.map(|s| &s.id) && !c.area.is_empty())
        {
            place = format!("{place} {}", c.area);
        }
        let phone = if matter.phone.is_empty() {
            hall.centre.phone.clone()
        } else {
            matter.phone.clone()
        };
        SlipPrint {
            centre: hall.centre.name.clone(),
            matter: matter.clone(),
            place,
            phone,
            printed_at: hall.tz().to_datetime(now),
        }
    }
}

/// A ticket as ESC/POS bytes. Characters outside the printer's font print
/// as `?`; use [`ticket_with_font`] to rasterise them instead.
pub fn ticket(t: &TicketPrint, profile: &Profile) -> Vec<u8> {
    ticket_doc(t, profile).encode(profile, None)
}

/// A ticket, with `font` drawing lines the printer's font cannot print.
pub fn ticket_with_font(t: &TicketPrint, profile: &Profile, font: &RasterFont) -> Vec<u8> {
    ticket_doc(t, profile).encode(profile, Some(font))
}

/// A slip as ESC/POS bytes (see [`ticket`] for missing characters).
pub fn slip(s: &SlipPrint, profile: &Profile) -> Vec<u8> {
    slip_doc(s, profile).encode(profile, None)
}

/// A slip, with `font` drawing lines the printer's font cannot print.
pub fn slip_with_font(s: &SlipPrint, profile: &Profile, font: &RasterFont) -> Vec<u8> {
    slip_doc(s, profile).encode(profile, Some(font))
}

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

struct Labels {
    number: &'static str,
    green: &'static str,
    assisted: &'static str,
    issued: &'static str,
    go_to: &'static str,
    scan: &'static str,
    notice: &'static str,
}

const ZH: Labels = Labels {
    number: "您的排队号",
    green: "绿色通道",
    assisted: "帮办代办",
    issued: "取号时间：",
    go_to: "请到",
    scan: "扫码查看排队进度，办结后评价",
    notice: "请留意屏幕和语音叫号，过号请重新取号。本号当日有效。",
};

const EN: Labels = Labels {
    number: "Your number",
    green: "Green channel",
    assisted: "Assisted service",
    issued: "Issued: ",
    go_to: "Go to",
    scan: "Scan to follow your turn and rate us",
    notice: "Listen for your number. If you miss your call, please take a new ticket. Valid today only.",
};

/// The largest character size at which `text` fits `dots` (at most 6).
fn fitting_size(text: &str, dots: u32, max: u8) -> u8 {
    let w = text::width(text).max(1) as u32 * 12;
    (1..=max)
        .rev()
        .find(|&s| w * u32::from(s) <= dots)
        .unwrap_or(1)
}

/// People ahead and the estimated wait, as the ticket (and the kiosk's
/// ticket screen) words them.
pub fn wait_text(ahead: u32, wait_s: u32, lang: Lang) -> String {
    let minutes = wait_s.div_ceil(60);
    let time = match (lang, minutes) {
        (Lang::Zh, m) if m < 60 => format!("{m} 分钟"),
        (Lang::Zh, m) if m % 60 == 0 => format!("{} 小时", m / 60),
        (Lang::Zh, m) => format!("{} 小时 {} 分钟", m / 60, m % 60),
        (Lang::En, m) if m < 60 => format!("{m} min"),
        (Lang::En, m) => format!("{} h {} min", m / 60, m % 60),
    };
    // Nobody ahead can still mean a wait: every window busy, or the hall
    // not yet open (a ticket taken at 08:05 for an 08:30 opening).
    match (lang, ahead, minutes) {
        (Lang::Zh, 0, 0) => "前面没有人在等候，请留意叫号".into(),
        (Lang::Zh, 0, _) => format!("前面没有人在等候，预计等候约 {time}"),
        (Lang::Zh, n, _) => format!("前面还有 {n} 人，预计等候约 {time}"),
        (Lang::En, 0, 0) => "Nobody ahead of you: watch for your call".into(),
        (Lang::En, 0, _) => format!("Nobody ahead of you, about {time} to wait"),
        (Lang::En, n, _) => format!("{n} ahead of you, about {time} to wait"),
    }
}

fn ticket_doc(t: &TicketPrint, profile: &Profile) -> Document {
    let l = labels(t.lang);
    let cols = profile.columns();
    let dots = profile.paper.dots();
    let mut doc = Document::new(cols);
    let centre = Style::centre();

    // The centre's name, as large as fits (double width on 80 mm).
    let size = fitting_size(&t.centre, dots, 2);
    doc.para(&t.centre, centre.bold().sized(size, 2), 0, 0);
    if let Some(site) = &t.site {
        doc.para(site, centre, 0, 0);
    }
    doc.line(l.number, centre);
    // The number is the point of the ticket: as large as fits.
    let max = match profile.paper {
        Paper::Mm58 => 5,
        Paper::Mm80 => 6,
    };
    let size = fitting_size(&t.number, dots, max);
    doc.line(t.number.clone(), centre.bold().sized(size, size));
    let mut category = t.category.clone();
    if t.assisted {
        category = format!("{category}（{}）", l.assisted);
    }
    let wide = fitting_size(&category, dots, 2);
    doc.para(&category, centre.bold().sized(wide, 2), 0, 0);
    if let Some(matter) = &t.matter {
        doc.para(matter, centre, 0, 0);
    }
    if let Some(group) = &t.green {
        let mark = if group.is_empty() {
            l.green.to_owned()
        } else {
            format!("{}·{group}", l.green)
        };
        // White on black, padded with a space each side where it fits.
        if text::width(&mark) + 2 <= cols {
            doc.line(format!(" {mark} "), centre.bold().reversed());
        } else {
            doc.para(&mark, centre.bold().reversed(), 0, 0);
        }
    }
    doc.rule('-');
    doc.para(
        &wait_text(t.ahead, t.estimated_wait_s, t.lang),
        centre,
        0,
        0,
    );
    if let Some(area) = &t.area {
        let go = match t.lang {
            Lang::Zh => format!("{}{}{area}等候办理", l.go_to, space_before(area)),
            Lang::En => format!("{} {area}", l.go_to),
        };
        doc.para(&go, centre.bold(), 0, 0);
    }
    doc.line(
        format!("{}{}", l.issued, t.issued_at.strftime("%Y-%m-%d %H:%M")),
        centre,
    );
    if let Some(url) = &t.status_url {
        // 6-dot modules: a version 3 code (29 modules, a 41-character URL)
        // is 22 mm wide, easy for a phone; even, so a raster QR can be sent
        // at half size and doubled by the printer.
        doc.blocks.push(Block::Qr {
            data: url.clone(),
            module: 6,
        });
        doc.line(l.scan, centre);
    }
    doc.para(l.notice, centre, 0, 0);
    doc
}

/// A space between Chinese and a following Latin letter or digit, as
/// Chinese typesetting does ("请到 B 区").
fn space_before(s: &str) -> &'static str {
    if s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        " "
    } else {
        ""
    }
}

/// "原件 1 份，复印件 1 份" and the like.
fn quantity(m: &Material) -> String {
    let mut parts = Vec::new();
    if m.originals > 0 {
        parts.push(format!("原件 {} 份", m.originals));
    }
    if m.copies > 0 {
        parts.push(format!("复印件 {} 份", m.copies));
    }
    parts.join("，")
}

fn slip_doc(s: &SlipPrint, profile: &Profile) -> Document {
    let cols = profile.columns();
    let m = &s.matter;
    let mut doc = Document::new(cols);
    doc.para(&s.centre, Style::centre(), 0, 0);
    doc.line("一次性告知单", Style::centre().bold().sized(2, 2));
    doc.rule('=');
    doc.field("事项名称：", &m.name);
    doc.field("事项编码：", m.id.as_str());
    doc.field("事项类型：", m.kind.label_zh());
    if !m.department.is_empty() {
        doc.field("实施部门：", &m.department);
    }
    doc.rule('-');
    doc.line(
        format!("申请材料（共 {} 项）", m.materials.len()),
        Style::left().bold(),
    );
    for (i, mat) in m.materials.iter().enumerate() {
        let number = format!("{}. ", i + 1);
        let indent = number.len();
        let mut name = mat.name.clone();
        if !mat.required {
            name.push_str("（视情况提供）");
        }
        doc.para(&format!("{number}{name}"), Style::left().bold(), 0, indent);
        let mut details = vec![quantity(mat)];
        if !mat.source.is_empty() {
            details.push(format!("出具单位：{}", mat.source));
        }
        if !mat.note.is_empty() {
            details.push(mat.note.clone());
        }
        details.retain(|d| !d.is_empty());
        if !details.is_empty() {
            doc.para(&details.join("；"), Style::left(), indent, indent);
        }
    }
    doc.rule('-');
    let promised = if m.promised_days == 0 {
        "即办（材料齐全当场办结）".to_owned()
    } else {
        format!("{} 个工作日", m.promised_days)
    };
    let promised = match m.legal_days {
        Some(d) => format!("{promised}（法定 {d} 个工作日）"),
        None => promised,
    };
    doc.field("承诺时限：", &promised);
    let fee = if m.fee.is_empty() {
        "不收费"
    } else {
        &m.fee
    };
    doc.field("收费标准：", fee);
    if !m.legal_basis.is_empty() {
        doc.field("设定依据：", &m.legal_basis);
    }
    doc.field("办理地点：", &s.place);
    doc.field("咨询电话：", &s.phone);
    if m.online {
        doc.field("网上办理：", "可网上申请，材料齐全的只需到窗口一次");
    }
    if !m.notes.is_empty() {
        doc.rule('-');
        doc.line("温馨提示", Style::left().bold());
        for note in &m.notes {
            doc.para(&format!("* {note}"), Style::left(), 0, 2);
        }
    }
    doc.rule('=');
    doc.para(
        "本告知单所列材料为办理该事项的全部材料。材料齐全、符合法定形式的，窗口当场受理；不得要求申请人提供告知单以外的材料。",
        Style::left(),
        0,
        0,
    );
    doc.line(
        format!("告知时间：{}", s.printed_at.strftime("%Y-%m-%d %H:%M")),
        Style {
            align: Align::Right,
            ..Style::default()
        },
    );
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_size_fits_the_paper() {
        assert_eq!(fitting_size("B023", 384, 5), 5);
        assert_eq!(fitting_size("AB1023", 384, 5), 5);
        assert_eq!(fitting_size("AB10234", 384, 5), 4);
        assert_eq!(fitting_size("B023", 576, 6), 6);
        assert_eq!(fitting_size("民乐县政务服务中心", 384, 2), 1);
        assert_eq!(fitting_size("民乐县政务服务中心", 576, 2), 2);
    }

    #[test]
    fn the_qr_code_carries_the_rating_key_when_the_issue_answer_had_one() {
        let hall = lobby_core::builtin::hall().unwrap();
        let mut view = crate::sample::ticket_view(&hall).unwrap();
        let id = view.id.clone();
        view.rating_key = None;
        assert_eq!(
            status_url("https://h.example/", &view),
            format!("https://h.example/t/{id}")
        );
        view.rating_key = Some("k2345".into());
        assert_eq!(
            status_url("https://h.example", &view),
            format!("https://h.example/t/{id}#k=k2345")
        );
        let hall = HallView::from(&hall);
        let print = TicketPrint::new(&view, &hall, "https://h.example", Lang::Zh);
        assert_eq!(
            print.status_url.as_deref(),
            Some(&*format!("https://h.example/t/{id}#k=k2345"))
        );
        assert_eq!(
            TicketPrint::new(&view, &hall, "", Lang::Zh).status_url,
            None
        );
    }

    #[test]
    fn waits_read_naturally() {
        let cases = [
            (0, 0, Lang::Zh, "前面没有人在等候，请留意叫号"),
            (0, 1500, Lang::Zh, "前面没有人在等候，预计等候约 25 分钟"),
            (
                0,
                1500,
                Lang::En,
                "Nobody ahead of you, about 25 min to wait",
            ),
            (3, 301, Lang::Zh, "前面还有 3 人，预计等候约 6 分钟"),
            (
                30,
                4500,
                Lang::Zh,
                "前面还有 30 人，预计等候约 1 小时 15 分钟",
            ),
        ];
        for (ahead, wait_s, lang, text) in cases {
            assert_eq!(wait_text(ahead, wait_s, lang), text);
        }
    }
}
