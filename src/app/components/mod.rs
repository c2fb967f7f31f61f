//! The page's components, one file each. They read and write the shared [`Live`] state.
//!
//! [`Live`]: crate::app::live::Live

mod bench_panel;
mod canvases;
mod controls;
mod data_panel;
mod explain;
mod mcmc_panel;
mod readouts;
mod toolbar;

pub use bench_panel::BenchPanel;
pub use canvases::{ElboChart, Legend, MainCanvas};
pub use controls::ControlPanel;
pub use data_panel::{data_row, DataPanel};
pub use explain::ExplainPanel;
pub use mcmc_panel::McmcPanel;
pub use readouts::{Readouts, StatsOverlay, StatusBar};
pub use toolbar::{copy_link, fit_json, SecondControls, Toolbar};
