//! The benchmark panel: optimizer steps per second of the engine in this browser, on this machine,
//! for the rows `vi-fit --bench-objectives` prints natively ([`crate::engine::bench`]). One row a
//! frame, so the page answers between rows; the fit is paused while it runs.

use leptos::prelude::*;

use crate::app::live::{now, Live};
use crate::engine::bench::{self, ROWS};
use crate::numbers::{show, Quantity};

/// Time spent on each row: long enough for a steady figure, short enough that the page answers.
const ROW_SECONDS: f64 = 0.25;

#[component]
pub fn BenchPanel(live: Live) -> impl IntoView {
    // Each row's label and, once measured, its steps per second.
    let rows = RwSignal::new((0..ROWS.len()).map(|i| (bench::row(i).0, None::<f64>)).collect::<Vec<_>>());
    let running = RwSignal::new(false);
    // Measures row `i`, shows it, and asks for the next one in the next frame.
    fn measure(i: usize, rows: RwSignal<Vec<(String, Option<f64>)>>, running: RwSignal<bool>) {
        if i >= ROWS.len() || !running.get_untracked() {
            running.set(false);
            return;
        }
        let rate = bench::rate(i, ROW_SECONDS, now);
        rows.update(|r| r[i].1 = Some(rate));
        request_animation_frame(move || measure(i + 1, rows, running));
    }
    let run = move |_| {
        if running.get_untracked() {
            running.set(false);
            return;
        }
        live.play(false);
        rows.update(|r| r.iter_mut().for_each(|row| row.1 = None));
        running.set(true);
        request_animation_frame(move || measure(0, rows, running));
    };
    view! {
        <details class="bench-panel" data-testid="bench-panel">
            <summary>"Benchmark"</summary>
            <p class="explain-text">
                "How fast the engine runs in this browser on this machine: optimizer steps a second on the banana, "
                "S = 8 draws a step unless a row says otherwise (the rows of "<code>"vi-fit --bench-objectives"</code>
                ", which prints the same natively). The fit pauses while it runs, about five seconds."
            </p>
            <button data-testid="bench-run-button" on:click=run>{move || if running.get() { "Stop" } else { "Run benchmark" }}</button>
            <table class="bench-table" data-testid="bench-table">
                <thead><tr><th scope="col">"family, divergence, options"</th><th scope="col">"steps/s"</th></tr></thead>
                <tbody>
                    {move || rows.get().into_iter().map(|(label, rate)| view! {
                        <tr>
                            <td>{label}</td>
                            <td class="num">{rate.map_or_else(|| "—".to_string(), |r| show(Quantity::Rate, r))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}
