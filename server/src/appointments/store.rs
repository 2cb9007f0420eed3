//! The `appointments` table: bookings, personal data masked as stored.

use jiff::Timestamp;
use lobby_core::TicketId;
use lobby_core::api::AppointmentView;
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{Result, Store, from_millis, millis};

impl Store {
    /// Adds an appointment (already masked); false if the code is taken.
    pub fn insert_appointment(&self, a: &AppointmentView, at: Timestamp) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO appointments
               (code, category, matter, slot_start, slot_end, name, phone, id_number, ticket, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
            params![
                a.code,
                a.category.as_str(),
                a.matter.as_ref().map(|m| m.as_str()),
                millis(a.slot_start),
                millis(a.slot_end),
                a.name,
                a.phone,
                a.id_number,
                millis(at)
            ],
        )?;
        Ok(n > 0)
    }

    /// An appointment by code.
    pub fn appointment(&self, code: &str) -> Result<Option<AppointmentView>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, category, matter, slot_start, slot_end, name, phone, id_number, ticket
                 FROM appointments WHERE code = ?1",
                [code],
                appointment_row,
            )
            .optional()?)
    }

    /// Records the ticket an appointment checked in with.
    pub fn set_appointment_ticket(&self, code: &str, ticket: &TicketId) -> Result<()> {
        self.conn().execute(
            "UPDATE appointments SET ticket = ?2 WHERE code = ?1",
            params![code, ticket.as_str()],
        )?;
        Ok(())
    }
}

/// Appointments whose slot starts in `[from, to)`, by slot then code,
/// from a reader connection (personal data as stored: masked).
pub fn appointments_between(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<AppointmentView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, category, matter, slot_start, slot_end, name, phone, id_number, ticket
         FROM appointments WHERE slot_start >= ?1 AND slot_start < ?2
         ORDER BY slot_start, code LIMIT 5000",
    )?;
    let rows = stmt.query_map(params![millis(from), millis(to)], appointment_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
/// An appointment from a row of `SELECT code, category, matter,
/// slot_start, slot_end, name, phone, id_number, ticket`.
fn appointment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AppointmentView> {
    Ok(AppointmentView {
        code: r.get(0)?,
        category: r.get::<_, String>(1)?.into(),
        matter: r.get::<_, Option<String>>(2)?.map(Into::into),
        slot_start: from_millis(r.get(3)?),
        slot_end: from_millis(r.get(4)?),
        name: r.get(5)?,
        phone: r.get(6)?,
        id_number: r.get(7)?,
        ticket: r.get::<_, Option<String>>(8)?.map(Into::into),
    })
}
