//! Target picker and its parameter slider.

use leptos::prelude::*;

use crate::app::state::TargetChoice;
use crate::engine::target::TARGETS;

#[component]
pub fn TargetControls(target: RwSignal<TargetChoice>) -> impl IntoView {
    let param = move || target.get().info().param;
    view! {
        <div class="control">
            <label for="target-select">"Target"</label>
            <select
                id="target-select"
                data-testid="target-select"
                prop:value=move || target.get().name
                on:change=move |ev| {
                    if let Some(choice) = TargetChoice::named(&event_target_value(&ev)) {
                        target.set(choice);
                    }
                }
            >
                {TARGETS.iter().map(|t| view! { <option value=t.name>{t.label}</option> }).collect_view()}
            </select>
        </div>
        <div class="control">
            <label for="param-slider">{move || format!("Parameter {}", param().symbol)}</label>
            <input
                id="param-slider"
                data-testid="param-slider"
                type="range"
                min=move || param().min
                max=move || param().max
                step=move || param().step
                prop:value=move || target.get().param.to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        target.update(|t| *t = t.with_param(v));
                    }
                }
            />
            <span class="readout" data-testid="param-value" aria-live="polite">
                {move || format!("{} = {:.2}", param().symbol, target.get().param)}
            </span>
        </div>
    }
}
