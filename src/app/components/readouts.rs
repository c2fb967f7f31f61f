//! Readouts of the fit, the status line with its ways back, and the performance overlay.

use leptos::prelude::*;

use crate::app::live::Live;
use crate::engine::fit::PSIS_DRAWS;
use crate::engine::psis::k_hat_verdict;
use crate::numbers::{show, Quantity};

#[component]
pub fn Readouts(live: Live, pane: usize) -> impl IntoView {
    let p = live.panes[pane];
    let r = p.readout;
    let e = p.exact;
    // The second pane's test ids end in "-2".
    let id = move |name: &str| if pane == 0 { name.to_string() } else { format!("{name}-2") };
    let exact = move |f: fn(&crate::app::live::Exact) -> f64, kind: Quantity| {
        move || e.get().map_or("—".into(), |e| show(kind, f(&e)))
    };
    view! {
        <dl class="readouts">
            <div><dt>"Step"</dt><dd data-testid=id("step-count")>{move || r.get().step.to_string()}</dd></div>
            <div><dt>{move || format!("{} (avg.)", r.get().bound)}</dt><dd data-testid=id("elbo-value")>{move || show(Quantity::Nats, r.get().elbo_avg)}</dd></div>
            <div><dt>"ln Z (exact)"</dt><dd data-testid=id("log-z-value")>{exact(|e| e.log_z, Quantity::Nats)}</dd></div>
            <div><dt>"KL(q‖p)"</dt><dd data-testid=id("kl-qp-value")>{exact(|e| e.kl_qp, Quantity::Kl)}</dd></div>
            <div><dt>"KL(p‖q)"</dt><dd data-testid=id("kl-pq-value")>{exact(|e| e.kl_pq, Quantity::Kl)}</dd></div>
            <Show when=move || e.get().is_some_and(|e| e.d_alpha.is_some())>
                <div><dt>"D_α(q‖p)"</dt><dd data-testid=id("d-alpha-value")>{move || e.get().and_then(|e| e.d_alpha).map_or("—".into(), |d| show(Quantity::Kl, d))}</dd></div>
            </Show>
            <div class="sandwich"><dt>"ELBO ≤ ln Z ≤ CUBO₂"</dt><dd data-testid=id("sandwich-value")>{move || e.get().map_or("—".into(), |e| sandwich(&e))}</dd></div>
            <div><dt>"CUBO₂ (exact)"</dt><dd data-testid=id("cubo2-value")>{exact(|e| e.sandwich.cubo2, Quantity::Nats)}</dd></div>
            <Show when=move || e.get().is_some_and(|e| e.sandwich.iwae_bound.is_some())>
                <div><dt>{move || format!("L_K, K = {}", e.get().and_then(|e| e.sandwich.iwae_bound).map_or(0, |b| b.0))}</dt><dd data-testid=id("iwae-bound-value")>{move || e.get().and_then(|e| e.sandwich.iwae_bound).map_or("—".into(), |(_, b)| estimate(b))}</dd></div>
            </Show>
            <div><dt>"PSIS k̂"</dt><dd data-testid=id("khat-value")>{move || e.get().map_or("—".into(), |e| format!("{} ({})", show(Quantity::KHat, e.k_hat), k_hat_verdict(e.k_hat, PSIS_DRAWS)))}</dd></div>
            <Show when=move || r.get().ess.is_some()>
                <div><dt>"IS-ESS"</dt><dd data-testid=id("ess-value")>{move || { let x = r.get(); format!("{} of {}", show(Quantity::Ess, x.ess.unwrap_or(f64::NAN)), x.samples) }}</dd></div>
            </Show>
            <div><dt>"Steps / s"</dt><dd data-testid=id("steps-per-sec")>{move || show(Quantity::Rate, live.stats.get().steps_per_sec)}</dd></div>
        </dl>
        <p class="structure">{move || p.structure.get()}</p>
    }
}

/// A Monte Carlo estimate with its standard error: "−2.310 ± 0.012".
fn estimate(b: crate::engine::sandwich::Bound) -> String {
    format!("{} ± {}", show(Quantity::Nats, b.value), show(Quantity::Nats, b.se))
}

/// The sandwich in numbers: the ELBO's and CUBO₂'s estimates around the exact ln Z.
fn sandwich(e: &crate::app::live::Exact) -> String {
    format!(
        "{} ≤ {} ≤ {}",
        show(Quantity::Nats, e.sandwich.elbo_estimate.value),
        show(Quantity::Nats, e.log_z),
        show(Quantity::Nats, e.sandwich.cubo2_estimate.value)
    )
}

/// Errors and divergence in words, with the way back.
#[component]
pub fn StatusBar(live: Live) -> impl IntoView {
    // Which fit diverged (0 = A, 1 = B), at which step, and why; tracked, so the line follows.
    let diverged = move || {
        live.compare.track();
        live.panes.iter().for_each(|p| p.readout.track());
        live.diverged()
    };
    view! {
        <div class="status" role="status" aria-live="polite">
            <p class="status-text" data-testid="status-message">
                {move || match (diverged(), live.error.get()) {
                    (None, _) if live.replay.get().is_some() => format!(
                        "Opening the link: replaying its {} steps (step {})… Stop ends the replay where it is.",
                        live.replay.get().unwrap_or(0), live.panes[0].readout.get().step),
                    (Some((0, step, what)), _) => {
                        let fit = if live.compare.get() { "Fit A" } else { "The fit" };
                        format!("{fit} diverged at step {step}: {what}. q has blown up, so start again from step 0 with a tenth of the learning rate, or reset.")
                    }
                    (Some((_, step, what)), _) => format!("Fit B diverged at step {step}: {what}. It uses its family's default learning rate: reset to start both again, or choose another family or divergence for B."),
                    (None, Some(e)) => e,
                    (None, None) => String::new(),
                }}
            </p>
            <Show when=move || live.replay.get().is_some() && diverged().is_none()>
                <button data-testid="stop-replay-button" on:click=move |_| live.play(false)>"Stop"</button>
            </Show>
            <Show when=move || diverged().is_some()>
                <Show when=move || diverged().is_some_and(|d| d.0 == 0)>
                    <button data-testid="lower-lr-button" on:click=move |_| live.lower_learning_rate()>"Restart at learning rate ÷10"</button>
                </Show>
                <button on:click=move |_| live.reset()>"Reset"</button>
            </Show>
            <Show when=move || live.error.get().is_some() && diverged().is_none()>
                <button on:click=move |_| live.error.set(None)>"Dismiss"</button>
            </Show>
        </div>
    }
}

/// Frames and steps per second, while "Performance" is ticked in the Show menu.
#[component]
pub fn StatsOverlay(live: Live) -> impl IntoView {
    view! {
        <Show when=move || live.show_stats.get()>
            <div class="stats-overlay" data-testid="stats-overlay">
                {move || { let s = live.stats.get(); format!("{} fps · {} steps/s · {} ms/frame", show(Quantity::Rate, s.fps), show(Quantity::Rate, s.steps_per_sec), show(Quantity::Millis, s.ms_per_frame)) }}
            </div>
        </Show>
    }
}
