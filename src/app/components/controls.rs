//! The control panel: target and its inputs, family and its options, divergence and its gradient,
//! Monte Carlo samples, learning rate, seed, speed; play, step and reset. The rows of the engine's
//! settings table in use are drawn by their kind ([`SettingControl`]), so a new target's input or
//! a new objective's option appears here without a line in this file; every typed value is checked
//! by its row, which words the refusal.

use leptos::prelude::*;

use crate::app::live::Live;
use crate::engine::family::{self, FAMILIES};
use crate::engine::objective::{self, OBJECTIVES};
use crate::engine::optim::Schedule;
use crate::engine::settings::{self, Kind, Setting, Value};
use crate::engine::target::{self, TARGETS};
use crate::link::SPEEDS;
use crate::numbers::{show, Quantity};
use crate::playground::Controls;

/// Which entry's rows: the target's inputs, the family's options, the objective's rows.
#[derive(Clone, Copy)]
enum Axis {
    Target,
    Family,
    Objective,
}

fn rows_of(c: &Controls, axis: Axis) -> Vec<&'static Setting> {
    let s = &c.settings;
    match axis {
        Axis::Target => target::find(&s.target).map(|t| t.inputs.iter().collect()).unwrap_or_default(),
        Axis::Family => family::find(&s.family).map(|f| f.options.iter().collect()).unwrap_or_default(),
        Axis::Objective => objective::find(&s.objective).map(|o| o.rows().collect()).unwrap_or_default(),
    }
}

/// One row of the settings table as a control, by its kind: a slider with its value for a real
/// number, a field for a whole number, a menu for a choice (a gradient that needs the MCMC draws
/// is offered, disabled, until they exist).
#[component]
fn SettingControl(live: Live, row: &'static Setting, part: &'static str) -> impl IntoView {
    let c = live.controls;
    let get = move || c.get().settings.options.get(row);
    let put = move |v: Value| live.change_controls(move |x| x.settings.options.set(row, v));
    match row.kind {
        Kind::Number { min, max, step, symbol, .. } => {
            let id = format!("{}-slider", row.key);
            view! {
                <div class="control" data-part=part>
                    <label for=id.clone()>{row.label}</label>
                    <input id=id.clone() data-testid=id type="range" min=min max=max step=step
                        prop:value=move || get().number().to_string()
                        on:input=move |ev| { if let Ok(v) = row.parse(&event_target_value(&ev)) { put(v); } } />
                    <span class="readout" data-testid=format!("{}-value", row.key) aria-live="polite">
                        {move || format!("{symbol} = {}", show(Quantity::Parameter, get().number()))}
                    </span>
                </div>
            }
            .into_any()
        }
        Kind::Whole { min, max, .. } => {
            let id = format!("{}-input", row.key);
            view! {
                <div class="control" data-part=part>
                    <label for=id.clone()>{row.label}</label>
                    <div class="whole">
                        // A slider to sweep it (K of the mixture and of IWAE, the ring's modes, the
                        // flow's size) and the number to type it; one value.
                        <input data-testid=format!("{}-slider", row.key) type="range" min=min max=max step="1"
                            aria-label=row.label
                            prop:value=move || get().number().to_string()
                            on:input=move |ev| { if let Ok(v) = row.parse(event_target_value(&ev).trim()) { put(v); } } />
                        <input id=id.clone() data-testid=id type="number" min=min max=max
                            prop:value=move || get().number().to_string()
                            on:change=move |ev| match row.parse(event_target_value(&ev).trim()) {
                                Ok(v) => put(v),
                                Err(e) => { live.error.set(Some(format!("{}: {e}; kept {}.", row.label, row.show(&get())))); c.update(|_| {}); }
                            } />
                    </div>
                </div>
            }
            .into_any()
        }
        // An objective's gradients (the only named list so far).
        Kind::Named(_) => {
            let all = OBJECTIVES.iter().find(|o| o.gradient.key == row.key).map_or(&[][..], |o| o.gradients());
            // Why each gradient cannot run here, if it cannot: the engine's own check.
            let why_not = move |i: usize| {
                let s = c.get().settings;
                let (o, f) = (objective::find(&s.objective).ok()?, family::find(&s.family).ok()?);
                objective::offered(o, f, live.has_draws.get()).get(i)?.1.clone()
            };
            view! {
                <div class="control" data-part=part>
                    <label for="estimator-select">{row.label}</label>
                    <select id="estimator-select" data-testid="estimator-select" prop:value=move || get().name()
                        on:change=move |ev| { if let Ok(v) = row.parse(&event_target_value(&ev)) { put(v); } }>
                        {all.iter().enumerate().map(|(i, g)| {
                            let no_draws = move || g.needs_draws && !live.has_draws.get();
                            view! {
                                <option value=g.name disabled=move || why_not(i).is_some() title=move || why_not(i).unwrap_or_default()>
                                    {g.label}{move || no_draws().then_some(" (run MCMC first)")}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
        // Points and text in one field, in the link's own spelling (x:y,x:y; the text as it is),
        // checked as the student types by building the target it would make: a refusal (a
        // formula's syntax error with its position) is shown under the field, and the target
        // in use stays until the text is valid.
        Kind::Points { .. } | Kind::Text { .. } => {
            let id = format!("{}-input", row.key);
            let error = RwSignal::new(None::<String>);
            let check = move |text: &str| -> Result<Value, String> {
                // A formula keeps its spaces as typed (trimming would move the caret).
                let text = if matches!(row.kind, Kind::Text { .. }) { text } else { text.trim() };
                let mut next = c.get_untracked().settings;
                next.set_text(row, text).map_err(|e| e.to_string())?;
                Ok(next.options.get(row))
            };
            let apply = move |text: String| match check(&text) {
                Ok(v) => {
                    error.set(None);
                    if v != get() {
                        put(v);
                    }
                }
                Err(e) => error.set(Some(format!("{e}. The target in use stays until this is valid."))),
            };
            let long = matches!(row.kind, Kind::Text { max_len, .. } if max_len > 100);
            let field = if long {
                view! {
                    <textarea id=id.clone() data-testid=id.clone() class="formula-input" rows="2" spellcheck="false"
                        aria-describedby=format!("{}-error", row.key)
                        prop:value=move || row.show(&get())
                        on:input=move |ev| apply(event_target_value(&ev))></textarea>
                }
                .into_any()
            } else {
                view! {
                    <input id=id.clone() data-testid=id.clone() type="text" spellcheck="false"
                        aria-describedby=format!("{}-error", row.key)
                        prop:value=move || row.show(&get())
                        on:change=move |ev| apply(event_target_value(&ev)) />
                }
                .into_any()
            };
            view! {
                <div class="control" data-part=part>
                    <label for=id.clone()>{row.label}</label>
                    {field}
                    <p class="field-error" id=format!("{}-error", row.key) data-testid=format!("{}-error", row.key) role="alert">
                        {move || error.get()}
                    </p>
                </div>
            }
            .into_any()
        }
        Kind::Choice(all) => {
            let id = format!("{}-select", row.key);
            view! {
                <div class="control" data-part=part>
                    <label for=id.clone()>{row.label}</label>
                    <select id=id.clone() data-testid=id prop:value=move || get().name()
                        on:change=move |ev| { if let Ok(v) = row.parse(&event_target_value(&ev)) { put(v); } }>
                        {all.iter().map(|(name, label)| view! { <option value=*name>{*label}</option> }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
pub fn ControlPanel(live: Live) -> impl IntoView {
    let c = live.controls;
    let set = move |f: &dyn Fn(&mut Controls)| live.change_controls(|c| f(c));
    let rows = move |axis: Axis, part: &'static str| {
        move || rows_of(&c.get(), axis).into_iter().map(|row| view! { <SettingControl live row part /> }).collect_view()
    };
    // A typed value out of range is refused in words and the field shows the value kept.
    // A fixed row (samples, learning rate, seed) as a field, set by the engine's one way to set a
    // row from text; a value the row refuses is said in words and the field keeps the old one.
    let number_input = move |row: &'static Setting, testid: &'static str, part: &'static str| {
        let label = row.label;
        let get = move |c: &Controls| c.settings.text(row);
        let put = move |c: &mut Controls, text: &str| c.settings.set_text(row, text);
        view! {
            <div class="control" data-part=part>
                <label for=testid>{label}</label>
                <input
                    id=testid
                    data-testid=testid
                    type="text"
                    inputmode="decimal"
                    prop:value=move || get(&c.get())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let mut next = c.get_untracked();
                        match put(&mut next, text.trim()) {
                            Ok(()) => live.change_controls(|c| *c = next),
                            Err(e) => {
                                live.error.set(Some(format!("{label}: {e}; kept {}.", get(&c.get_untracked()))));
                                c.update(|_| {});
                            }
                        }
                    }
                />
            </div>
        }
    };
    view! {
        <div class="control" data-part="target">
            <label for="target-select">"Target"</label>
            <select id="target-select" data-testid="target-select" prop:value=move || c.get().settings.target
                on:change=move |ev| { let name = event_target_value(&ev); set(&|x| *x = x.with_target(&name)); }>
                {TARGETS.iter().map(|t| view! { <option value=t.name>{t.label}</option> }).collect_view()}
            </select>
        </div>
        {rows(Axis::Target, "param")}
        <div class="control" data-part="family">
            <label for="family-select">"Variational family"</label>
            <select id="family-select" data-testid="family-select" prop:value=move || c.get().settings.family
                on:change=move |ev| { let name = event_target_value(&ev); set(&|x| *x = x.with_family(&name)); }>
                {FAMILIES.iter().map(|f| view! { <option value=f.name>{f.label}</option> }).collect_view()}
            </select>
        </div>
        {rows(Axis::Family, "family")}
        <div class="control" data-part="divergence">
            <label for="divergence-select">{settings::OBJECTIVE.label}</label>
            <select id="divergence-select" data-testid="divergence-select" prop:value=move || c.get().settings.objective
                on:change=move |ev| { let name = event_target_value(&ev); set(&|x| *x = x.with_objective(&name)); }>
                {OBJECTIVES.iter().map(|o| view! { <option value=o.name>{o.label}</option> }).collect_view()}
            </select>
        </div>
        {rows(Axis::Objective, "estimator")}
        <div class="numbers">
        {number_input(&settings::SAMPLES, "samples-input", "samples")}
        {number_input(&settings::LR, "lr-input", "lr")}
        {number_input(&settings::SEED, "seed-input", "seed")}
        </div>
        <div class="control" data-part="lr">
            <label for="schedule-select">{settings::SCHEDULE.label}</label>
            <select id="schedule-select" data-testid="schedule-select" prop:value=move || c.get().settings.schedule.name()
                on:change=move |ev| { if let Ok(v) = Schedule::parse(&event_target_value(&ev)) { set(&|x| x.settings.schedule = v); } }>
                {Schedule::ALL.iter().map(|v| view! { <option value=v.name()>{v.label()}</option> }).collect_view()}
            </select>
        </div>
        <div class="control" data-part="speed">
            <label for="speed-slider">"Speed"</label>
            <input id="speed-slider" data-testid="speed-slider" type="range" min="0" max=SPEEDS.len() - 1 step="1" aria-describedby="speed-value"
                prop:value=move || SPEEDS.iter().position(|&s| s == c.get().steps_per_frame).unwrap_or(0).to_string()
                on:input=move |ev| { if let Some(&s) = event_target_value(&ev).parse::<usize>().ok().and_then(|v| SPEEDS.get(v)) {
                    c.update(|x| x.steps_per_frame = s);
                } } />
            <span class="readout" id="speed-value">{move || format!("{} steps per frame", c.get().steps_per_frame)}</span>
        </div>
        <div class="buttons">
            <button class="primary" data-testid="play-button" aria-pressed=move || live.playing.get().to_string()
                on:click=move |_| live.play(!live.playing.get_untracked())>
                {move || if live.playing.get() { "Pause" } else { "Play" }}
            </button>
            <button data-testid="step-button" on:click=move |_| live.single_step()>"Step"</button>
            <button data-testid="reset-button" on:click=move |_| live.reset()>"Reset"</button>
        </div>
    }
}
