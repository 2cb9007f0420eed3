//! What the kiosk knows about the hall: `GET /api/hall` read into the
//! core's [`HallView`] (the same type the server answers with), and the
//! waiting counts of `GET /api/queue`.

use std::collections::{HashMap, HashSet};

use bevy::prelude::*;
use lobby_core::CategoryId;
use lobby_core::api::{HallView, QueueView};

/// The hall as last heard from the server: `None` until the first answer.
#[derive(Resource, Debug, Default, Clone)]
pub struct Board {
    /// The hall's configuration, as `GET /api/hall` last sent it.
    pub hall: Option<HallView>,
    /// Tickets waiting per category.
    pub waiting: HashMap<CategoryId, u32>,
    /// Categories where a ticket taken now would not be called before the
    /// close: the home screen says so before the visitor takes one.
    pub past_close: HashSet<CategoryId>,
}

impl Board {
    /// Takes the waiting counts of a queue view.
    pub fn set_queue(&mut self, queue: &QueueView) {
        self.waiting = queue
            .categories
            .iter()
            .map(|c| (c.queue.category.clone(), c.queue.waiting))
            .collect();
        self.past_close = queue
            .categories
            .iter()
            .filter(|c| c.queue.past_close)
            .map(|c| c.queue.category.clone())
            .collect();
    }
}
