//! What the kiosk knows about the hall: the parts of `GET /api/hall` it
//! shows or prints, and the waiting counts of `GET /api/queue`.
//!
//! `lobby_core::Hall` is built from TOML and only serialises, so the kiosk
//! reads the JSON into these small structs and keeps what it needs.

use std::collections::HashMap;

use bevy::prelude::*;
use lobby_core::api::QueueView;
use lobby_core::hall::{Material, Matter, MatterKind};
use lobby_core::{CategoryId, GroupId, Lang, MatterId, SiteId};
use serde::Deserialize;

/// `GET /api/hall`, as far as the kiosk reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HallInfo {
    /// The centre.
    pub centre: CentreInfo,
    /// Sites, the main hall first.
    pub sites: Vec<SiteInfo>,
    /// Categories, in display order.
    pub categories: Vec<CategoryInfo>,
    /// The matter catalogue.
    pub matters: Vec<MatterInfo>,
    /// Green-channel groups.
    pub green_groups: Vec<GroupInfo>,
}

/// The centre running the hall.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CentreInfo {
    /// Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// Enquiry telephone.
    #[serde(default)]
    pub phone: String,
    /// IANA zone of the hall.
    #[serde(default = "shanghai")]
    pub timezone: String,
}

fn shanghai() -> String {
    "Asia/Shanghai".to_owned()
}

/// A site.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SiteInfo {
    /// Identifier.
    pub id: SiteId,
    /// Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
}

/// A service category as its home-screen button shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CategoryInfo {
    /// Identifier.
    pub id: CategoryId,
    /// Ticket prefix.
    pub prefix: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// Short description.
    #[serde(default)]
    pub description: String,
    /// English description.
    #[serde(default)]
    pub description_en: String,
    /// Site whose windows serve it.
    pub site: SiteId,
    /// Where its windows are.
    #[serde(default)]
    pub area: String,
}

/// A matter, with everything its notification slip prints.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MatterInfo {
    /// Identifier.
    pub id: MatterId,
    /// Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// Category whose windows accept it.
    pub category: CategoryId,
    /// Kind.
    pub kind: MatterKind,
    /// Responsible department.
    #[serde(default)]
    pub department: String,
    /// Required documents.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Promised time limit in working days.
    #[serde(default)]
    pub promised_days: u32,
    /// Statutory limit.
    #[serde(default)]
    pub legal_days: Option<u32>,
    /// Fee as printed.
    #[serde(default)]
    pub fee: String,
    /// Legal basis.
    #[serde(default)]
    pub legal_basis: String,
    /// Sites offering it.
    #[serde(default)]
    pub sites: Vec<SiteId>,
    /// Enquiry telephone.
    #[serde(default)]
    pub phone: String,
    /// Notes printed on the slip.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Whether it can be applied for online.
    #[serde(default)]
    pub online: bool,
}

impl MatterInfo {
    /// The core's matter, which the printer renders.
    pub fn to_matter(&self) -> Matter {
        Matter {
            id: self.id.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            category: self.category.clone(),
            kind: self.kind,
            department: self.department.clone(),
            materials: self.materials.clone(),
            promised_days: self.promised_days,
            legal_days: self.legal_days,
            fee: self.fee.clone(),
            legal_basis: self.legal_basis.clone(),
            sites: self.sites.clone(),
            phone: self.phone.clone(),
            notes: self.notes.clone(),
            online: self.online,
        }
    }
}

/// A green-channel group.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GroupInfo {
    /// Identifier.
    pub id: GroupId,
    /// Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
}

impl HallInfo {
    /// A category by id.
    pub fn category(&self, id: &CategoryId) -> Option<&CategoryInfo> {
        self.categories.iter().find(|c| &c.id == id)
    }

    /// A matter by id.
    pub fn matter(&self, id: &MatterId) -> Option<&MatterInfo> {
        self.matters.iter().find(|m| &m.id == id)
    }

    /// A green-channel group by id.
    pub fn group(&self, id: &GroupId) -> Option<&GroupInfo> {
        self.green_groups.iter().find(|g| &g.id == id)
    }

    /// A site by id.
    pub fn site(&self, id: &SiteId) -> Option<&SiteInfo> {
        self.sites.iter().find(|s| &s.id == id)
    }

    /// Matters of a category, in catalogue order.
    pub fn matters_of<'a>(
        &'a self,
        category: &'a CategoryId,
    ) -> impl Iterator<Item = &'a MatterInfo> {
        self.matters.iter().filter(move |m| &m.category == category)
    }

    /// The categories a kiosk at `site` offers (the main site's when `None`).
    pub fn categories_at<'a>(
        &'a self,
        site: Option<&'a SiteId>,
    ) -> impl Iterator<Item = &'a CategoryInfo> {
        let site = site.or(self.sites.first().map(|s| &s.id));
        self.categories
            .iter()
            .filter(move |c| Some(&c.site) == site)
    }
}

/// The hall as last heard from the server: `None` until the first answer.
#[derive(Resource, Debug, Default, Clone)]
pub struct Board {
    /// The configuration.
    pub hall: Option<HallInfo>,
    /// Tickets waiting per category.
    pub waiting: HashMap<CategoryId, u32>,
}

impl Board {
    /// Takes the waiting counts of a queue view.
    pub fn set_queue(&mut self, queue: &QueueView) {
        self.waiting = queue
            .categories
            .iter()
            .map(|c| (c.queue.category.clone(), c.queue.waiting))
            .collect();
    }
}

/// Picks the text of the current language, falling back to Chinese.
pub fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}
