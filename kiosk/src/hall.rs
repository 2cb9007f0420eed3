//! What the kiosk knows about the hall: `GET /api/hall` read into the
//! core's [`HallView`] (the same type the server answers with), and the
//! waiting counts of `GET /api/queue`.

use std::collections::HashMap;

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
