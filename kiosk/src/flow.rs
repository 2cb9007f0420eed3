//! The visit: which screen is up, what the visitor chose so far, and how
//! taps, server answers and print outcomes move it on.
//!
//! Screens only draw; everything that changes state happens here, in
//! [`apply_taps`], [`apply_server_events`] and [`apply_print_events`].
//! At most three taps from home to paper: category → matter (or 直接取号)
//! prints at the second tap; a category without matters at the first; the
//! green channel is 绿色通道 → group → category.

use bevy::prelude::*;
use lobby_core::api::{IssueRequest, Lane, TicketView};
use lobby_core::{CategoryId, GroupId, MatterId};
use lobby_printer::PrinterStatus;

use crate::config::KioskConfig;
use crate::hall::Board;
use crate::printing::{JobKind, PrintEvent, PrintRequest};
use crate::server::{ServerEvent, ServerRequest};
use crate::ui::{Action, Tap, UiLang};

/// The kiosk's screens; one shows at a time.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// 暂停取号: the server cannot be reached (also while starting).
    #[default]
    Paused,
    /// Categories, green channel, appointments.
    Home,
    /// The matters of the chosen category, with 直接取号.
    Matters,
    /// Green channel: the group, then the category.
    GreenChannel,
    /// Appointment check-in: the code on a keypad.
    Appointment,
    /// Waiting for the server's answer.
    Issuing,
    /// The ticket: number, people ahead, wait, printing.
    Ticket,
    /// A message (refusal, slip printed) and the way home.
    Notice,
}

/// Whether a step of printing is pending, done or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintState {
    /// Nothing to print yet.
    #[default]
    Idle,
    /// Sent to the printer.
    Printing,
    /// The printer took every byte.
    Printed,
    /// Not printed, with the printer's state.
    Failed(PrinterStatus),
}

/// What the visitor (or guide-desk staff) chose so far.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Visit {
    /// The chosen category.
    pub category: Option<CategoryId>,
    /// Green channel, with the chosen group.
    pub green: Option<GroupId>,
    /// Green channel entered (the group may still be unchosen).
    pub green_channel: bool,
    /// Guide desk: 帮办代办.
    pub assisted: bool,
    /// Guide desk: choosing a matter only to print its slip.
    pub slip_only: bool,
    /// Page of a long list.
    pub page: usize,
    /// Appointment code typed so far.
    pub code: String,
    /// The issued ticket.
    pub ticket: Option<TicketView>,
    /// How far printing the ticket got.
    pub ticket_print: PrintState,
    /// How far printing the notification slip got.
    pub slip_print: PrintState,
    /// The matter whose slip was asked for.
    pub slip_matter: Option<MatterId>,
    /// Message of the notice screen.
    pub notice: String,
}

/// Whether the server answers (`false` until it first does).
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Online(pub bool);

/// Settings the flow follows.
#[derive(Resource, Debug, Clone)]
pub struct FlowConfig {
    /// Guide-desk mode: green channel, 帮办代办 and slips on their own.
    pub guide_desk: bool,
    /// The site the kiosk stands in; its categories are offered (the main
    /// site's when `None`).
    pub site: Option<lobby_core::SiteId>,
    /// Language after an idle reset.
    pub lang: lobby_core::Lang,
}

impl From<&KioskConfig> for FlowConfig {
    fn from(c: &KioskConfig) -> Self {
        FlowConfig {
            guide_desk: c.guide_desk,
            site: c.site.clone(),
            lang: c.lang,
        }
    }
}

/// Longest appointment code the keypad takes.
pub const CODE_MAX: usize = 12;
/// Matters per page on the matters screen.
pub const MATTERS_PER_PAGE: usize = 8;

/// Applies the visitor's taps.
#[allow(clippy::too_many_arguments)]
pub fn apply_taps(
    mut taps: MessageReader<Tap>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    mut visit: ResMut<Visit>,
    mut lang: ResMut<UiLang>,
    board: Res<Board>,
    config: Res<FlowConfig>,
    online: Res<Online>,
    mut server: MessageWriter<ServerRequest>,
    mut printer: MessageWriter<PrintRequest>,
) {
    for Tap(action) in taps.read() {
        let now = *screen.get();
        match action {
            Action::Home => go_home(&mut visit, &mut next, online.0),
            Action::Back => match now {
                Screen::Matters if visit.page > 0 => visit.page = 0,
                Screen::GreenChannel if visit.green.is_some() => visit.green = None,
                Screen::Matters
                | Screen::GreenChannel
                | Screen::Appointment
                | Screen::Ticket
                | Screen::Notice => go_home(&mut visit, &mut next, online.0),
                Screen::Home | Screen::Paused | Screen::Issuing => {}
            },
            Action::ToggleLang => {
                lang.0 = match lang.0 {
                    lobby_core::Lang::Zh => lobby_core::Lang::En,
                    lobby_core::Lang::En => lobby_core::Lang::Zh,
                }
            }
            Action::GreenChannel => {
                *visit = Visit {
                    green_channel: true,
                    assisted: visit.assisted,
                    ..default()
                };
                next.set(Screen::GreenChannel);
            }
            Action::Group(g) => visit.green = Some(g.clone()),
            Action::Appointment => {
                visit.code.clear();
                next.set(Screen::Appointment);
            }
            // Offered on home only: home redraws for slips.
            Action::SlipMode if config.guide_desk => visit.slip_only = true,
            Action::ToggleAssisted if config.guide_desk => visit.assisted = !visit.assisted,
            Action::SlipMode | Action::ToggleAssisted => {}
            Action::Category(c) => {
                let has_matters = board
                    .hall
                    .as_ref()
                    .is_some_and(|h| h.matters_of(c).next().is_some());
                visit.category = Some(c.clone());
                visit.page = 0;
                if visit.green_channel {
                    let group = visit.green.clone();
                    issue(&mut visit, &mut next, &mut server, c.clone(), None, group);
                } else if has_matters {
                    next.set(Screen::Matters);
                } else if visit.slip_only {
                    // Nothing to print for a category without matters.
                } else {
                    issue(&mut visit, &mut next, &mut server, c.clone(), None, None);
                }
            }
            Action::Matter(m) => {
                if visit.slip_only {
                    visit.slip_matter = Some(m.clone());
                    visit.slip_print = PrintState::Printing;
                    printer.write(PrintRequest::Slip(m.clone()));
                    let name = board
                        .hall
                        .as_ref()
                        .and_then(|h| h.matter(m))
                        .map(|m| lang.t(&m.name, &m.name_en).to_owned())
                        .unwrap_or_default();
                    visit.notice = format!(
                        "{}{name}",
                        lang.t("正在打印一次性告知单：", "Printing the checklist: ")
                    );
                    next.set(Screen::Notice);
                } else if let Some(c) = visit.category.clone() {
                    issue(&mut visit, &mut next, &mut server, c, Some(m.clone()), None);
                }
            }
            Action::NoMatter => {
                if let Some(c) = visit.category.clone() {
                    issue(&mut visit, &mut next, &mut server, c, None, None);
                }
            }
            Action::NextPage => visit.page += 1,
            Action::PrevPage => visit.page = visit.page.saturating_sub(1),
            Action::Key(k) => {
                if visit.code.chars().count() < CODE_MAX {
                    visit.code.push(*k);
                }
            }
            Action::Delete => {
                visit.code.pop();
            }
            Action::CheckIn => {
                if !visit.code.is_empty() {
                    server.write(ServerRequest::CheckIn(visit.code.clone()));
                    next.set(Screen::Issuing);
                }
            }
            Action::PrintSlip => {
                if let Some(m) = visit.ticket.as_ref().and_then(|t| t.matter.clone()) {
                    visit.slip_matter = Some(m.clone());
                    visit.slip_print = PrintState::Printing;
                    printer.write(PrintRequest::Slip(m));
                }
            }
            Action::Reprint => {
                if let Some(t) = visit.ticket.clone() {
                    visit.ticket_print = PrintState::Printing;
                    printer.write(PrintRequest::Ticket(Box::new(t)));
                }
            }
        }
    }
}

/// Back to the start: home, or 暂停取号 while the server is away.
pub fn go_home(visit: &mut Visit, next: &mut NextState<Screen>, online: bool) {
    // Guide-desk staff keep 帮办代办 on until they switch it off.
    *visit = Visit {
        assisted: visit.assisted,
        ..default()
    };
    next.set(if online { Screen::Home } else { Screen::Paused });
}

fn issue(
    visit: &mut Visit,
    next: &mut NextState<Screen>,
    server: &mut MessageWriter<ServerRequest>,
    category: CategoryId,
    matter: Option<MatterId>,
    green: Option<GroupId>,
) {
    let green_channel = visit.green_channel;
    server.write(ServerRequest::Issue(IssueRequest {
        category,
        priority: if green_channel {
            Lane::Green
        } else {
            Lane::Normal
        },
        group: green,
        matter,
        channel: None,
        site: None,
        assisted: visit.assisted,
        stops: Vec::new(),
        appointment: None,
    }));
    next.set(Screen::Issuing);
}

/// Applies the server's answers: tickets, refusals, losing and finding it.
pub fn apply_server_events(
    mut events: MessageReader<ServerEvent>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    mut visit: ResMut<Visit>,
    mut online: ResMut<Online>,
    mut printer: MessageWriter<PrintRequest>,
) {
    for e in events.read() {
        match e {
            ServerEvent::Issued(ticket) => {
                // Printed whatever screen is up: the server has issued it.
                visit.ticket = Some((**ticket).clone());
                visit.ticket_print = PrintState::Printing;
                visit.slip_print = PrintState::Idle;
                printer.write(PrintRequest::Ticket(ticket.clone()));
                next.set(Screen::Ticket);
            }
            ServerEvent::Refused(detail) => {
                visit.notice = detail.message.clone();
                next.set(Screen::Notice);
            }
            ServerEvent::Lost => {
                online.0 = false;
                // A ticket on screen stays there; any other screen pauses.
                if !matches!(screen.get(), Screen::Ticket | Screen::Notice) {
                    next.set(Screen::Paused);
                }
            }
            ServerEvent::Back => {
                online.0 = true;
                if *screen.get() == Screen::Paused {
                    go_home(&mut visit, &mut next, true);
                }
            }
            ServerEvent::Hall(_) | ServerEvent::Queue(_) => {}
        }
    }
}

/// Pauses issuing when the visitor leaves a ticket while the server is away.
pub fn pause_while_offline(
    online: Res<Online>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
) {
    if !online.0
        && matches!(
            screen.get(),
            Screen::Home | Screen::Matters | Screen::GreenChannel | Screen::Appointment
        )
    {
        next.set(Screen::Paused);
    }
}

/// Applies print outcomes to the visit.
pub fn apply_print_events(mut events: MessageReader<PrintEvent>, mut visit: ResMut<Visit>) {
    for e in events.read() {
        match e {
            PrintEvent::Printed(JobKind::Ticket) => visit.ticket_print = PrintState::Printed,
            PrintEvent::Printed(JobKind::Slip) => visit.slip_print = PrintState::Printed,
            PrintEvent::Failed {
                kind: JobKind::Ticket,
                status,
            } => visit.ticket_print = PrintState::Failed(*status),
            PrintEvent::Failed {
                kind: JobKind::Slip,
                status,
            } => visit.slip_print = PrintState::Failed(*status),
            PrintEvent::Ready | PrintEvent::Health(_) => {}
        }
    }
}
