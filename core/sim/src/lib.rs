//! Day-in-the-hall simulator (work in progress).
