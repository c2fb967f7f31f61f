//! The main canvas: the target's density as a heatmap with its 50/90/99 % highest-density contours.

use leptos::prelude::*;

use crate::app::plots;
use crate::app::state::TargetChoice;

#[component]
pub fn DensityCanvas(#[prop(into)] target: Signal<TargetChoice>) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let (error, set_error) = signal(None::<String>);
    Effect::new(move |_| {
        let choice = target.get();
        let Some(el) = canvas.get() else { return };
        let drawn = choice.build().map_err(|e| e.to_string()).and_then(|t| plots::density::draw(&el, t.as_ref()));
        set_error.set(drawn.err());
    });
    view! {
        <canvas
            node_ref=canvas
            class="main-canvas"
            data-testid="main-canvas"
            role="img"
            aria-label=move || format!("Density of the {} target", target.get().info().label)
        ></canvas>
        <p class="legend">"Shading: target density p(z). Lines: regions holding 50 %, 90 % and 99 % of its mass."</p>
        <p class="status error" data-testid="status-message" role="alert">{move || error.get()}</p>
    }
}
