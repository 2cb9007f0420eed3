//! The default hall (`assets/hall.toml` and the matter catalogue it
//! includes), compiled in, for programs started without a configuration
//! file: lobby-print when no hall is given and `assets/hall.toml` is not
//! in the working directory, lobby-sim when no hall is given.
//!
//! The files are embedded at compile time; reading them here is no I/O.

use crate::Hall;
use crate::config::{self, ConfigErrors, SourceFile};

/// The name problems in the built-in main file are reported under.
pub const HALL_NAME: &str = "assets/hall.toml (built in)";

/// `assets/hall.toml` as it was when this crate was built.
pub const HALL_TOML: &str = include_str!("../../assets/hall.toml");

/// `assets/matters.toml`, the catalogue `assets/hall.toml` includes.
pub const MATTERS_TOML: &str = include_str!("../../assets/matters.toml");

/// Loads the built-in hall. It fails only if the shipped files do not
/// load, which this module's test rules out.
pub fn hall() -> Result<Hall, ConfigErrors> {
    let main = SourceFile {
        name: HALL_NAME.into(),
        text: HALL_TOML.into(),
    };
    config::load(main, |name| match name {
        "matters.toml" => Ok(MATTERS_TOML.into()),
        other => Err(format!("`{other}` is not built in")),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_hall_loads() {
        let hall = super::hall().unwrap_or_else(|e| panic!("{e}"));
        assert!(!hall.sites.is_empty());
        assert!(!hall.matters.is_empty());
    }
}
