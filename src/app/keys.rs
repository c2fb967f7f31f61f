//! Keyboard shortcuts: one table, read by the handler and by the help overlay.

use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::app::live::Live;

/// The keys and what they do, as the help overlay lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("→ or s", "one step"),
    ("r", "reset the fit to step 0"),
    ("t", "next target"),
    ("f", "next variational family"),
    ("d", "next divergence (reverse / forward KL)"),
    ("c", "side by side on / off"),
    ("p", "presenter mode on / off"),
    ("o", "open / close the controls (presenter mode)"),
    ("l", "copy a link to this exact run"),
    ("?", "this help"),
    ("Esc", "close the help"),
    ("Arrows on the canvas", "move q's mean while paused"),
];

/// Handles a key press anywhere in the page; returns whether it was a shortcut. Keys typed into a
/// field, and Space or Enter on a button, keep their usual meaning.
pub fn handle(live: Live, ev: &KeyboardEvent, copy_link: impl Fn()) -> bool {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
        return false;
    }
    let key = ev.key();
    let tag = ev
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .map(|e| e.tag_name().to_ascii_uppercase())
        .unwrap_or_default();
    let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    let activates = matches!(tag.as_str(), "BUTTON" | "SUMMARY" | "A") && (key == " " || key == "Enter");
    if (typing && key != "Escape") || activates {
        return false;
    }
    // A held key repeats: only stepping should; toggles would flicker (and `c` restart the fits).
    if ev.repeat() && !matches!(key.as_str(), "ArrowRight" | "s") {
        ev.prevent_default();
        return false;
    }
    // Behind the open help dialog, only the keys that close it.
    if live.show_help.get_untracked() && !matches!(key.as_str(), "?" | "Escape") {
        return false;
    }
    let change = move |f: fn(&crate::playground::Controls) -> crate::playground::Controls| {
        live.change_controls(|c| *c = f(c));
    };
    match key.as_str() {
        " " => live.play(!live.playing.get_untracked()),
        "ArrowRight" | "s" => live.single_step(),
        "r" => live.reset(),
        "t" => change(|c| c.next_target()),
        "f" => change(|c| c.next_family()),
        "d" => change(|c| c.next_objective()),
        "c" => live.set_compare(!live.compare.get_untracked()),
        "p" => live.toggle_presenter(),
        "o" if live.presenter.get_untracked() => live.toggle_controls(),
        "l" => copy_link(),
        "?" => live.show_help.update(|h| *h = !*h),
        "Escape" if live.show_help.get_untracked() => live.show_help.set(false),
        _ => return false,
    }
    ev.prevent_default();
    true
}

/// The help overlay: every shortcut, in a dialog that Escape or its button closes.
#[component]
pub fn HelpOverlay(live: Live) -> impl IntoView {
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if live.show_help.get() {
            if let Some(b) = close.get() {
                let _ = b.focus();
            }
        }
    });
    view! {
        <Show when=move || live.show_help.get()>
            <div class="overlay" on:click=move |_| live.show_help.set(false)>
                <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help-overlay"
                    on:click=|ev| ev.stop_propagation()>
                    <h2 id="help-title">"Keyboard shortcuts"</h2>
                    <dl>
                        {SHORTCUTS.iter().map(|(k, what)| view! { <div><dt><kbd>{*k}</kbd></dt><dd>{*what}</dd></div> }).collect_view()}
                    </dl>
                    <p>"Every control can also be reached with Tab and used with the keyboard."</p>
                    <button node_ref=close data-testid="help-close" on:click=move |_| live.show_help.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
