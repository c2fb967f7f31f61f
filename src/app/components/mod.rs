//! The page's components, one file each. They read and write the shared [`Live`] state.
//!
//! [`Live`]: crate::app::live::Live

mod canvases;
mod controls;
mod explain;
mod mcmc_panel;
mod readouts;
mod toolbar;

pub use canvases::{ElboChart, Legend, MainCanvas};
pub use controls::ControlPanel;
pub use explain::ExplainPanel;
pub use mcmc_panel::McmcPanel;
pub use readouts::{Readouts, StatsOverlay, StatusBar};
pub use toolbar::{copy_link, fit_json, SecondControls, Toolbar};

/// A number for a readout: fixed decimals, or a dash when there is none.
pub fn fmt(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else if x == f64::NEG_INFINITY {
        "−∞".into()
    } else {
        "—".into()
    }
}
