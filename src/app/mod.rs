//! The page: a thin Leptos layer of signals over the engine. Exists only on wasm32.

pub mod components;
pub mod live;
pub mod plots;

use leptos::prelude::*;

use crate::playground::Controls;
use components::{ControlPanel, ElboChart, MainCanvas, McmcPanel, Readouts, StatsOverlay, StatusBar};
use live::Live;

/// The whole playground.
#[component]
pub fn App() -> impl IntoView {
    let live = Live::new(Controls::default());
    view! {
        <header class="app-header">
            <h1>"VI Playground"</h1>
            <p>"Variational inference, live in your browser"</p>
            <StatsOverlay live=live />
        </header>
        <main class="layout">
            <aside class="panel controls" aria-label="Controls">
                <h2>"Set up the fit"</h2>
                <ControlPanel live=live />
            </aside>
            <section class="plot" aria-label="Target and fit">
                <StatusBar live=live />
                <MainCanvas live=live />
            </section>
            <section class="panel side" aria-label="ELBO and diagnostics">
                <h2>"ELBO"</h2>
                <ElboChart live=live />
                <Readouts live=live />
                <h2>"MCMC reference"</h2>
                <McmcPanel live=live />
            </section>
        </main>
    }
}
