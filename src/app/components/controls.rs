//! The control panel: target and its parameter, family, divergence and estimator, Monte Carlo
//! samples, learning rate, seed, speed; play, step and reset.

use leptos::prelude::*;

use crate::app::live::Live;
use crate::engine::divergence::{Divergence, Estimator, ForwardSource};
use crate::engine::family::{flow, FAMILIES};
use crate::engine::fit::{LR_RANGE, MAX_SAMPLES};
use crate::engine::optim::Schedule;
use crate::engine::target::TARGETS;
use crate::link::SPEEDS;
use crate::numbers::{show, Quantity};
use crate::playground::Controls;

#[component]
pub fn ControlPanel(live: Live) -> impl IntoView {
    let c = live.controls;
    let set = move |f: &dyn Fn(&mut Controls)| live.change_controls(|c| f(c));
    let param =
        move || crate::engine::target::find(&c.get().settings.target).map(|t| t.param).unwrap_or(TARGETS[0].param);
    // A typed value out of range is refused in words and the field shows the value kept.
    let number_input = move |label: &'static str,
                             testid: &'static str,
                             part: &'static str,
                             get: fn(&Controls) -> String,
                             put: fn(&mut Controls, &str) -> Result<(), String>| {
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
                            Err(msg) => {
                                live.error.set(Some(msg));
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
        <div class="control" data-part="param">
            <label for="param-slider">{move || format!("Parameter {}", param().symbol)}</label>
            <input id="param-slider" data-testid="param-slider" type="range"
                min=move || param().min max=move || param().max step=move || param().step
                prop:value=move || c.get().settings.target_param.to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        let p = param();
                        set(&|x| x.settings.target_param = v.clamp(p.min, p.max));
                    }
                } />
            <span class="readout" data-testid="param-value" aria-live="polite">
                {move || format!("{} = {}", param().symbol, show(Quantity::Parameter, c.get().settings.target_param))}
            </span>
        </div>
        <div class="control" data-part="family">
            <label for="family-select">"Variational family"</label>
            <select id="family-select" data-testid="family-select" prop:value=move || c.get().settings.family
                on:change=move |ev| { let name = event_target_value(&ev); set(&|x| *x = x.with_family(&name)); }>
                {FAMILIES.iter().map(|f| view! { <option value=f.name>{f.label}</option> }).collect_view()}
            </select>
        </div>
        <Show when=move || c.get().settings.family == "flow">
            <div class="control row" data-part="family">
                <label>"Layers"
                    <input type="number" data-testid="depth-input" min="1" max=flow::MAX_DEPTH
                        prop:value=move || c.get().settings.flow_depth.to_string()
                        on:change=move |ev| { if let Ok(d) = event_target_value(&ev).parse::<usize>() {
                            set(&|x| x.settings.flow_depth = d.clamp(1, flow::MAX_DEPTH));
                        } } />
                </label>
                <label>"Width"
                    <input type="number" data-testid="width-input" min="2" max=flow::MAX_WIDTH step="2"
                        prop:value=move || c.get().settings.flow_width.to_string()
                        on:change=move |ev| { if let Ok(w) = event_target_value(&ev).parse::<usize>() {
                            set(&|x| x.settings.flow_width = w.clamp(2, flow::MAX_WIDTH));
                        } } />
                </label>
            </div>
        </Show>
        <div class="control" data-part="divergence">
            <label for="divergence-select">"Divergence"</label>
            <select id="divergence-select" data-testid="divergence-select" prop:value=move || c.get().settings.divergence.name()
                on:change=move |ev| { if let Ok(d) = Divergence::parse(&event_target_value(&ev)) { set(&|x| *x = x.with_divergence(d)); } }>
                {Divergence::ALL.iter().map(|d| view! { <option value=d.name()>{d.label()}</option> }).collect_view()}
            </select>
        </div>
        <div class="control" data-part="estimator">
            <label for="estimator-select">"Gradient estimator"</label>
            <select id="estimator-select" data-testid="estimator-select"
                prop:value=move || c.get().settings.gradient_name()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Ok(e) = Estimator::parse(&v) { set(&|x| x.settings.estimator = e); }
                    else if let Ok(f) = ForwardSource::parse(&v) { set(&|x| x.settings.forward_source = f); }
                }>
                {move || match c.get().settings.divergence {
                    Divergence::ReverseKl => Estimator::ALL.iter().map(|e| view! { <option value=e.name()>{e.label()}</option> }).collect_view().into_any(),
                    Divergence::ForwardKl => ForwardSource::ALL.iter().map(|f| {
                        let no_draws = *f == ForwardSource::Draws && !live.has_draws.get();
                        view! { <option value=f.name() disabled=no_draws>{f.label()}{no_draws.then_some(" (run MCMC first)")}</option> }
                    }).collect_view().into_any(),
                }}
            </select>
        </div>
        <div class="numbers">
        {number_input("Samples S", "samples-input", "samples", |c| c.settings.samples.to_string(), |c, t| {
            match t.parse::<usize>() {
                Ok(s) if (1..=MAX_SAMPLES).contains(&s) => { c.settings.samples = s; Ok(()) }
                _ => Err(format!("Samples must be a whole number from 1 to {MAX_SAMPLES}; kept {}.", c.settings.samples)),
            }
        })}
        {number_input("Learning rate", "lr-input", "lr", |c| c.settings.lr.to_string(), |c, t| {
            match t.parse::<f64>() {
                Ok(v) if (LR_RANGE.0..=LR_RANGE.1).contains(&v) => { c.settings.lr = v; Ok(()) }
                _ => Err(format!("The learning rate must be a number from {} to {}; kept {}.", LR_RANGE.0, LR_RANGE.1, c.settings.lr)),
            }
        })}
        {number_input("Seed", "seed-input", "seed", |c| c.settings.seed.to_string(), |c, t| {
            t.parse::<u64>().map(|s| c.settings.seed = s).map_err(|_| format!("The seed must be a whole number ≥ 0; kept {}.", c.settings.seed))
        })}
        </div>
        <div class="control" data-part="lr">
            <label for="schedule-select">"Learning rate over time"</label>
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
