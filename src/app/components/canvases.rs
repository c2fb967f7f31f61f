//! The two canvases; the live loop draws them, these only hand over the elements.

use leptos::prelude::*;

use crate::app::live::Live;

#[component]
pub fn MainCanvas(live: Live) -> impl IntoView {
    let node = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.main_canvas.set_value(Some(el));
            live.redraw(false);
        }
    });
    // A resized window redraws the cached base layer (a new target does so in Live::apply_controls).
    let on_resize = leptos::prelude::window_event_listener(leptos::ev::resize, move |_| {
        live.base_layer.set_value(None);
        live.redraw(true);
    });
    on_cleanup(move || on_resize.remove());
    let label = move || {
        let c = live.controls.get();
        format!("The {} target's density (blue) and the {} fit q (orange)", c.settings.target, c.settings.family)
    };
    view! {
        <canvas node_ref=node class="main-canvas" data-testid="main-canvas" role="img" aria-label=label></canvas>
        <p class="legend">
            <span><span class="swatch target"></span>"target p: density, 50/90/99 % regions"</span>
            <span><span class="swatch q"></span>"fit q: samples, 1σ/2σ ellipses or 50/90 % regions, mean ×"</span>
            <span><span class="swatch mcmc"></span>"MCMC draws"</span>
        </p>
    }
}

#[component]
pub fn ElboChart(live: Live) -> impl IntoView {
    let node = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.elbo_canvas.set_value(Some(el));
            live.redraw(true);
        }
    });
    view! {
        <canvas node_ref=node class="elbo-canvas" data-testid="elbo-canvas" role="img"
            aria-label="ELBO estimates, their running average and ln Z; below, the exact KL divergences"></canvas>
    }
}
