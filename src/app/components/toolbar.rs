//! The classroom toolbar: a link to this exact run, presenter mode, side by side, what to show,
//! exports and the keyboard help.

use leptos::prelude::*;

use crate::app::browser;
use crate::app::live::{Live, PANE_NAMES};
use crate::engine::family::FAMILIES;
use crate::engine::objective::{self, OBJECTIVES};
use crate::link::{to_query, Part, Second};
use crate::playground::traces_csv;
use crate::report::{FitReport, PageExport};

/// Writes the current link and starts copying it; the toolbar shows it either way.
pub fn copy_link(live: Live, shown: RwSignal<Option<String>>) {
    let link = browser::link(&to_query(&live.page_state()));
    let copied = browser::copy(&link);
    shown.set(Some(link));
    let msg = if copied { "Link copied." } else { "Copy this link by hand." };
    let what = match live.off_link.get_untracked() {
        None => " It opens this run at this step, with the same numbers.".to_string(),
        Some(o) => {
            format!(" It has the settings and the step count, but it will not give the same numbers: {}.", o.why())
        }
    };
    live.error.set(Some(format!("{msg}{what}")));
}

#[component]
pub fn Toolbar(live: Live, link: RwSignal<Option<String>>) -> impl IntoView {
    let toggle = |on: RwSignal<bool>| move || on.get().to_string();
    view! {
        <div class="toolbar" role="toolbar" aria-label="Classroom tools">
            <button data-testid="copy-link-button" title="Copy a link to this exact run (l)" on:click=move |_| copy_link(live, link)>"Copy link"</button>
            <button data-testid="presenter-button" aria-pressed=toggle(live.presenter) title="Large type and thick lines (p)"
                on:click=move |_| live.toggle_presenter()>"Presenter"</button>
            // Presenter mode folds the controls into a drawer, so the fit keeps the screen.
            <Show when=move || live.presenter.get()>
                <button data-testid="drawer-button" aria-controls="controls-panel" aria-expanded=move || live.controls_shown().to_string()
                    title="Open or close the controls (o)" on:click=move |_| live.toggle_controls()>"Controls"</button>
            </Show>
            <button data-testid="compare-button" aria-pressed=toggle(live.compare) title="Two fits side by side (c)"
                on:click=move |_| live.set_compare(!live.compare.get_untracked())>"Side by side"</button>
            <details class="menu">
                <summary data-testid="show-menu">"Show"</summary>
                <fieldset>
                    <legend>"Show or hide (saved in the link)"</legend>
                    {Part::ALL.iter().map(|&part| view! {
                        <label>
                            <input type="checkbox" data-testid=format!("show-{}", part.name())
                                prop:checked=move || if part == Part::Controls { live.controls_shown() } else { !live.hidden.get().contains(&part) }
                                on:change=move |ev| {
                                    let show = event_target_checked(&ev);
                                    if part == Part::Controls {
                                        live.show_controls(show);
                                    } else {
                                        live.hidden.update(|h| { if show { h.remove(&part); } else { h.insert(part); } });
                                    }
                                } />
                            {part.label()}
                        </label>
                    }).collect_view()}
                    <label class="stats-toggle">
                        <input type="checkbox" data-testid="stats-toggle" prop:checked=move || live.show_stats.get()
                            on:change=move |ev| live.show_stats.set(event_target_checked(&ev)) />
                        "Performance (fps, steps/s)"
                    </label>
                </fieldset>
            </details>
            <details class="menu">
                <summary data-testid="export-menu">"Export"</summary>
                <div class="menu-items">
                    <button data-testid="export-png" on:click=move |_| report(live, export_png(live))>"Canvases (PNG)"</button>
                    <button data-testid="export-csv" on:click=move |_| report(live, export_csv(live))>"Traces (CSV)"</button>
                    <button data-testid="export-json" on:click=move |_| report(live, export_json(live))>"Fit (JSON)"</button>
                </div>
            </details>
            <button data-testid="help-button" aria-haspopup="dialog" title="Keyboard shortcuts (?)" on:click=move |_| live.show_help.set(true)>"Keys ?"</button>
        </div>
        <Show when=move || link.get().is_some()>
            <div class="link-box">
                <label for="link-output">"Link to this run"</label>
                <input id="link-output" data-testid="link-output" type="text" readonly prop:value=move || link.get().unwrap_or_default()
                    on:focus=|ev| { if let Some(i) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) { i.select(); } } />
                <button on:click=move |_| link.set(None)>"Close"</button>
            </div>
        </Show>
    }
}

/// The second fit's family and divergence, in the side-by-side view.
#[component]
pub fn SecondControls(live: Live) -> impl IntoView {
    let s = live.second;
    view! {
        <div class="second-controls" aria-label="The second fit">
            <label for="family2-select">"B: family"</label>
            <select id="family2-select" data-testid="family2-select" prop:value=move || s.get().family
                on:change=move |ev| { let family = event_target_value(&ev); live.set_second(Second { family, ..s.get_untracked() }); }>
                {FAMILIES.iter().map(|f| view! { <option value=f.name>{f.label}</option> }).collect_view()}
            </select>
            <label for="div2-select">"B: divergence"</label>
            <select id="div2-select" data-testid="div2-select" prop:value=move || s.get().objective
                on:change=move |ev| { if let Ok(o) = objective::find(&event_target_value(&ev)) { live.set_second(Second { objective: o.name.into(), ..s.get_untracked() }); } }>
                {OBJECTIVES.iter().map(|o| view! { <option value=o.name>{o.label}</option> }).collect_view()}
            </select>
        </div>
    }
}

fn report(live: Live, result: Result<(), String>) {
    if let Err(e) = result {
        live.error.set(Some(format!("Export failed: {e}")));
    }
}

/// One PNG (one download; browsers ask before a page's second): the fits' canvases and the
/// chart, side by side.
fn export_png(live: Live) -> Result<(), String> {
    let canvases: Vec<_> = live
        .active()
        .iter()
        .filter_map(|&i| live.panes[i].canvas.get_value())
        .chain(live.elbo_canvas.get_value())
        .collect();
    browser::download_canvases("vi-playground.png", &canvases)
}

fn export_csv(live: Live) -> Result<(), String> {
    let panes: Vec<_> = live.active().iter().map(|&i| (PANE_NAMES[i], live.panes[i].traces)).collect();
    let mut csv = String::new();
    for (k, (name, traces)) in panes.iter().enumerate() {
        let part = traces.with_value(|t| {
            traces_csv([
                (*name, "elbo", &t.elbo),
                (*name, "elbo_avg", &t.elbo_avg),
                (*name, "kl_qp", &t.kl_qp),
                (*name, "kl_pq", &t.kl_pq),
                (*name, "elbo_estimate", &t.elbo_estimate),
                (*name, "cubo2_estimate", &t.cubo2_estimate),
            ])
        });
        // One header for the whole file.
        csv.push_str(if k == 0 { &part } else { part.split_once('\n').map_or("", |p| p.1) });
    }
    browser::download_text("vi-playground-traces.csv", "text/csv", &csv)
}

/// The run as JSON ([`PageExport`]): its link, every setting, and each fit's report in the schema
/// `vi-fit` prints ([`FitReport`]).
pub fn fit_json(live: Live) -> String {
    let state = live.page_state();
    let settings = crate::link::pairs(&state).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let fits = live
        .active()
        .iter()
        .filter_map(|&i| live.panes[i].fit.with_value(|f| f.as_ref().map(|f| FitReport::of(f, Some(PANE_NAMES[i])))))
        .collect();
    let export = PageExport {
        link: browser::link(&to_query(&state)),
        link_reproduces_run: live.off_link.get_untracked().is_none(),
        why_not: live.off_link.get_untracked().map(|o| o.why().to_string()),
        settings,
        fits,
    };
    serde_json::to_string_pretty(&export).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn export_json(live: Live) -> Result<(), String> {
    browser::download_text("vi-playground-fit.json", "application/json", &fit_json(live))
}
