//! The page: a thin Leptos layer of signals over the engine. Exists only on wasm32.

pub mod components;
pub mod plots;
pub mod state;

use leptos::prelude::*;

use components::{DensityCanvas, TargetControls};
use state::TargetChoice;

/// The whole playground.
#[component]
pub fn App() -> impl IntoView {
    let target = RwSignal::new(TargetChoice::default());
    view! {
        <header class="app-header">
            <h1>"VI Playground"</h1>
            <p>"Variational inference, live in your browser"</p>
        </header>
        <main class="layout">
            <aside class="panel controls" aria-label="Controls">
                <h2>"Target posterior"</h2>
                <TargetControls target=target />
            </aside>
            <section class="plot" aria-label="Target density">
                <DensityCanvas target=target />
            </section>
            <section class="panel" aria-label="ELBO chart">
                <h2>"ELBO"</h2>
                <canvas class="elbo-canvas" data-testid="elbo-canvas" aria-label="ELBO trace"></canvas>
                <p class="placeholder">"The ELBO trace appears here once a fit runs."</p>
            </section>
        </main>
    }
}
