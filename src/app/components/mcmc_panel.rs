//! The MCMC reference: run once (in chunks, so the page stays live), its diagnostics, and the bias
//! table that puts q's moments beside the MCMC estimates and the exact values.

use leptos::prelude::*;

use crate::app::live::Live;
use crate::engine::bias::FLAG_MCSE;
use crate::engine::mcmc::SamplerKind;
use crate::numbers::{show, Quantity};

#[component]
pub fn McmcPanel(live: Live) -> impl IntoView {
    let v = live.mcmc_view;
    view! {
        <div class="control row">
            <label for="sampler-select">"Sampler"</label>
            <select id="sampler-select" data-testid="sampler-select" prop:value=move || live.sampler.get().name()
                on:change=move |ev| { if let Ok(s) = SamplerKind::parse(&event_target_value(&ev)) { live.sampler.set(s) } }>
                {SamplerKind::ALL.iter().map(|s| view! { <option value=s.name()>{s.label()}</option> }).collect_view()}
            </select>
            <button data-testid="mcmc-run-button" on:click=move |_| { if v.get_untracked().running { live.cancel_mcmc() } else { live.run_mcmc() } }>
                {move || if v.get().running { "Stop" } else { "Run MCMC" }}
            </button>
        </div>
        <Show when=move || v.get().running>
            <progress data-testid="mcmc-progress" max="1" prop:value=move || v.get().progress></progress>
        </Show>
        {move || v.get().error.map(|e| view! { <p class="status-text">{e}</p> })}
        {move || v.get().summary.map(|s| view! {
            <p class="mcmc-summary" data-testid="mcmc-summary">
                {format!("{} draws · R̂ {} · bulk-ESS {} · tail-ESS {} · accept {} · divergences {}",
                    s.draws, show(Quantity::RHat, s.rhat[0].max(s.rhat[1])), show(Quantity::Ess, s.ess_bulk[0].min(s.ess_bulk[1])),
                    show(Quantity::Ess, s.ess_tail[0].min(s.ess_tail[1])), show(Quantity::Fraction, s.accept_rate), s.divergences)}
                {format!(" · E-BFMI {}", s.e_bfmi.map_or("—".into(), |e| show(Quantity::Fraction, e)))}
            </p>
        })}
        <Show when=move || v.get().summary.is_some()>
            <MarginalsCanvas live=live />
        </Show>
        {move || {
            let concerns = v.get().bias.concerns;
            (!concerns.is_empty()).then(|| view! {
                <div class="reference-concerns" data-testid="reference-concerns" role="status">
                    <p>"This reference cannot be trusted, so no row is flagged:"</p>
                    <ul>{concerns.into_iter().map(|c| view! { <li>{c}"."</li> }).collect_view()}</ul>
                </div>
            })
        }}
        <Show when=move || !v.get().bias.rows.is_empty()>
            <table class="bias-table" data-testid="bias-table">
                <caption>{format!("VI (q's moments averaged over recent steps, ± their standard error) against MCMC (± its Monte Carlo error): flagged where they differ by more than {FLAG_MCSE} standard errors of both")}</caption>
                <thead><tr><th scope="col">""</th><th scope="col">"VI ± SE"</th><th scope="col">"MCMC ± MCSE"</th><th scope="col">"exact"</th><th scope="col">""</th></tr></thead>
                <tbody>
                    {move || v.get().bias.rows.into_iter().map(|r| view! {
                        <tr class:flagged=r.flagged data-flagged=r.flagged.to_string() data-quantity=r.quantity>
                            <th scope="row">{r.quantity}</th>
                            <td>{if r.vi_se > 0.0 { format!("{} ± {}", show(Quantity::Moment, r.vi), show(Quantity::Moment, r.vi_se)) } else { show(Quantity::Moment, r.vi) }}</td>
                            <td>{format!("{} ± {}", show(Quantity::Moment, r.mcmc), show(Quantity::Moment, r.mcse))}</td>
                            <td>{r.exact.map_or("—".into(), |x| show(Quantity::Moment, x))}</td>
                            <td>{if r.flagged { format!("biased ({:+.0} SE)", r.z()) } else { String::new() }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}

/// Marginal histograms of the draws with q's marginals; the live loop draws it.
#[component]
fn MarginalsCanvas(live: Live) -> impl IntoView {
    let node = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.watch_size(&el);
            live.marginals_canvas.set_value(Some(el));
            live.redraw(true);
        }
    });
    on_cleanup(move || {
        if let Some(el) = live.marginals_canvas.get_value() {
            live.unwatch_size(&el);
        }
        live.marginals_canvas.set_value(None);
    });
    view! {
        <canvas node_ref=node class="marginals-canvas" data-testid="marginals-canvas" role="img"
            aria-label="Marginal histograms of the MCMC draws (grey) with the fit's marginal densities (orange)"></canvas>
    }
}
