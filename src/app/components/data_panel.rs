//! The data panel of a target with data (`logistic`): click to add a point of the chosen class,
//! click a point to remove it; with the panel focused, ←/→ move a cursor, 0 or 1 (or Enter, with
//! the chosen class) add a point there, Delete removes the nearest; "Clear" leaves the prior.
//! Every change is a new target: the fit restarts, and an MCMC reference runs again.

use leptos::prelude::*;
use web_sys::{KeyboardEvent, PointerEvent};

use crate::app::live::Live;
use crate::engine::fit::Settings;
use crate::engine::settings::{Kind, Setting, Value};
use crate::engine::target::{self, logistic::X_RANGE};
use crate::playground::data::{nearest, toggle};

/// The target's row of points, if it has one.
pub fn data_row(s: &Settings) -> Option<&'static Setting> {
    target::find(&s.target).ok()?.inputs.iter().find(|r| matches!(r.kind, Kind::Points { .. }))
}

/// How far ←/→ move the cursor.
const CURSOR_STEP: f64 = 0.1;

#[component]
pub fn DataPanel(live: Live) -> impl IntoView {
    let c = live.controls;
    let class = RwSignal::new(1.0f64);
    let note = RwSignal::new(None::<String>);
    let points = move || {
        c.with(|c| data_row(&c.settings).map(|r| c.settings.options.get(r).points().to_vec()).unwrap_or_default())
    };
    let put = move |next: Vec<[f64; 2]>| {
        let Some(row) = data_row(&c.get_untracked().settings) else { return };
        live.change_controls(move |x| x.settings.options.set(row, Value::Points(next)));
    };
    let at = move |x: f64, k: f64| {
        let (next, done) = toggle(&points(), x, k);
        note.set((!done).then(|| "At most 200 points: remove one first.".to_string()));
        if done {
            put(next);
        }
    };
    let node = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.watch_size(&el);
            live.data_canvas.set_value(Some(el));
            live.redraw(true);
        }
    });
    on_cleanup(move || {
        if let Some(el) = live.data_canvas.get_value() {
            live.unwatch_size(&el);
        }
        live.data_canvas.set_value(None);
        live.data_frame.set_value(None);
    });
    let on_down = move |ev: PointerEvent| {
        let Some(frame) = live.data_frame.get_value() else { return };
        let x = frame.to_x(ev.offset_x() as f64);
        live.data_cursor.set(x.clamp(X_RANGE.0, X_RANGE.1));
        at(x, class.get_untracked());
    };
    let on_key = move |ev: KeyboardEvent| {
        let cursor = live.data_cursor.get_untracked();
        match ev.key().as_str() {
            "ArrowLeft" | "ArrowRight" => {
                let d = if ev.key() == "ArrowLeft" { -CURSOR_STEP } else { CURSOR_STEP };
                live.data_cursor.set(((cursor + d) * 10.0).round() / 10.0);
                live.data_cursor.update(|v| *v = v.clamp(X_RANGE.0, X_RANGE.1));
                live.redraw(true);
            }
            "0" | "1" => at(cursor, if ev.key() == "1" { 1.0 } else { 0.0 }),
            "Enter" | " " => at(cursor, class.get_untracked()),
            "Delete" | "Backspace" => {
                let mut p = points();
                if let Some(i) = nearest(&p, cursor) {
                    p.remove(i);
                    put(p);
                }
            }
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    let default =
        move || data_row(&c.get_untracked().settings).map(|r| r.default().points().to_vec()).unwrap_or_default();
    view! {
        <section class="data-panel" data-testid="data-panel" aria-label="Data">
            <div class="control row">
                <span>"Add points of class"</span>
                <label><input type="radio" name="data-class" data-testid="data-class-1" prop:checked=move || class.get() == 1.0 on:change=move |_| class.set(1.0) />"1 (top)"</label>
                <label><input type="radio" name="data-class" data-testid="data-class-0" prop:checked=move || class.get() == 0.0 on:change=move |_| class.set(0.0) />"0 (bottom)"</label>
                <button data-testid="data-clear" on:click=move |_| put(Vec::new())>"Clear"</button>
                <button data-testid="data-default" on:click=move |_| put(default())>"Default data"</button>
            </div>
            <canvas node_ref=node class="data-canvas" data-testid="data-canvas" role="img" tabindex="0"
                aria-label="The data: points of class 1 on top, class 0 below; the fit's curve P(y = 1) = σ(α + βx) with its band (orange) and the MCMC draws' (grey). Click to add a point of the chosen class or to remove one; with this focused, arrows move the cursor, 0 or 1 add a point there, Delete removes the nearest."
                on:pointerdown=on_down on:keydown=on_key></canvas>
            <p class="data-count" data-testid="data-count" aria-live="polite">
                {move || format!("{} points; the curve is σ(α + βx) at q's mean, the band 80 % of q's draws (grey: MCMC's).", points().len())}
                {move || note.get().map(|n| format!(" {n}"))}
            </p>
        </section>
    }
}
