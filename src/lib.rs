//! VI Playground: a teaching tool for variational inference.
//!
//! [`engine`] is pure Rust (no web crates) and runs natively and in wasm; `app` is the Leptos page
//! and exists only on wasm32, so a native `cargo test` builds the engine alone.

pub mod axes;
pub mod engine;
pub mod explain;
pub mod link;
pub mod numbers;
pub mod palette;
pub mod playground;
pub mod report;
pub mod viz;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod app;
