//! The page: a thin Leptos layer of signals over the engine. Exists only on wasm32.
//!
//! [`App`] is the playground at its own address, its state kept in the URL; [`mount`] puts the same
//! playground into any element of another page (a lecturer's notes or slides).

pub mod browser;
pub mod components;
pub mod keys;
pub mod live;
pub mod plots;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::link::{parse, to_query, PageState, Part};
use components::{
    copy_link, data_row, BenchPanel, ControlPanel, DataPanel, ElboChart, ExplainPanel, Legend, MainCanvas, McmcPanel,
    Readouts, SecondControls, StatsOverlay, StatusBar, Toolbar,
};
use keys::HelpOverlay;
use live::Live;

/// Least time between two writes of the address bar.
const URL_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// The playground at its own address: the link opens the run it describes, and the address bar
/// follows every change so it can be shared at any moment.
#[component]
pub fn App() -> impl IntoView {
    let parsed = parse(&browser::query());
    let message = parsed.message();
    view! { <Playground state=parsed.state message=message url_bound=true /> }
}

/// The whole playground for one state. `url_bound` keeps the address bar in step and listens for
/// shortcuts on the whole window; embedded, it listens only while focus is inside it.
#[component]
pub fn Playground(state: PageState, message: Option<String>, url_bound: bool) -> impl IntoView {
    let live = Live::new(state, message);
    let link = RwSignal::new(None::<String>);
    if url_bound {
        // The address bar follows the state: at most once per URL_EVERY (browsers throttle
        // history.replaceState), only when the link changed, and the step count while paused.
        let (pending, written) = (StoredValue::new_local(false), StoredValue::new_local(String::new()));
        Effect::new(move |_| {
            live.controls.track();
            live.presenter.track();
            live.hidden.track();
            live.compare.track();
            live.second.track();
            live.sampler.track();
            live.replay.track();
            if !live.playing.get() {
                live.panes[0].readout.track();
            }
            if !pending.get_value() {
                pending.set_value(true);
                set_timeout(
                    move || {
                        pending.set_value(false);
                        if live.replay.get_untracked().is_some() {
                            return; // the link being replayed stays as it was
                        }
                        let query = to_query(&live.page_state());
                        if written.with_value(|w| *w != query) {
                            browser::replace_query(&query);
                            written.set_value(query);
                        }
                    },
                    URL_EVERY,
                );
            }
        });
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            keys::handle(live, &ev, move || copy_link(live, link));
        });
        on_cleanup(move || handle.remove());
    }
    // Presenter mode redraws with larger type and thicker lines (a canvas whose size changes is
    // redrawn by Live::watch_size; one whose size does not, as on a phone, by this).
    Effect::new(move |_| {
        live.presenter.track();
        live.redraw(true);
    });
    let classes = move || {
        let mut c = String::from("app");
        if live.presenter.get() {
            c.push_str(" presenter");
        }
        if live.compare.get() {
            c.push_str(" compare");
        }
        let hidden = live.hidden.get();
        for p in &hidden {
            c.push_str(" hide-");
            c.push_str(p.name());
        }
        // The layout's columns: the controls fold away when hidden or, in presenter mode, while
        // the drawer is shut; the side column goes when all it holds is hidden.
        if !live.controls_shown() {
            c.push_str(" no-controls");
        }
        if Part::SIDE.iter().all(|p| hidden.contains(p)) {
            c.push_str(" no-side");
        }
        c
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if !url_bound {
            keys::handle(live, &ev, move || copy_link(live, link));
        }
    };
    let compare = move || live.compare.get();
    let caption = move |i: usize| {
        move || {
            live.controls.track();
            live.second.track();
            live.caption(i)
        }
    };
    view! {
        <div class=classes data-testid="app" on:keydown=on_key>
            <div class="frame"><div class="shell">
            <header class="app-header">
                <h1>"VI Playground"</h1>
                <p class="tagline">"Variational inference, live in your browser"</p>
                <Toolbar live=live link=link />
                <StatsOverlay live=live />
            </header>
            <main class="layout">
                <aside class="panel controls" id="controls-panel" aria-label="Controls" data-part="controls">
                    <h2>"Set up the fit"</h2>
                    <ControlPanel live=live />
                    <Show when=compare>
                        <SecondControls live=live />
                    </Show>
                </aside>
                <section class="plot" aria-label="Target and fit">
                    <StatusBar live=live />
                    <div class="canvases">
                        <figure>
                            <Show when=compare><figcaption class="pane-a">{caption(0)}</figcaption></Show>
                            <MainCanvas live=live pane=0 />
                        </figure>
                        <Show when=compare>
                            <figure>
                                <figcaption class="pane-b">{caption(1)}</figcaption>
                                <MainCanvas live=live pane=1 />
                            </figure>
                        </Show>
                    </div>
                    <Legend />
                    <Show when=move || data_row(&live.controls.get().settings).is_some()>
                        <DataPanel live=live />
                    </Show>
                </section>
                <section class="panel side" aria-label="ELBO and diagnostics">
                    <Legend beside=true />
                    <div data-part="chart">
                        <h2>"Progress"</h2>
                        <ElboChart live=live />
                    </div>
                    <div data-part="readouts" class="readout-panes">
                        <div>
                            <Show when=compare><h3 class="pane-a">"A"</h3></Show>
                            <Readouts live=live pane=0 />
                        </div>
                        <Show when=compare>
                            <div>
                                <h3 class="pane-b">"B"</h3>
                                <Readouts live=live pane=1 />
                            </div>
                        </Show>
                    </div>
                    <div data-part="mcmc">
                        <h2>"MCMC reference"</h2>
                        <McmcPanel live=live />
                    </div>
                    <div data-part="explain">
                        <h2>"What you see"</h2>
                        <ExplainPanel live=live />
                        <BenchPanel live=live />
                    </div>
                </section>
            </main>
            </div></div>
            <HelpOverlay live=live />
        </div>
    }
}

/// Puts a live playground into `element` of any page. `settings` is a link's query string
/// (`"target=bimodal&family=full-rank&play=1"`), an object of the same keys
/// (`{ target: "bimodal", play: 1 }`), or `undefined` for the defaults. What it cannot use it
/// reports on the playground's status line, as a link would.
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, settings: JsValue) -> Result<(), JsValue> {
    if !std::thread::panicking() {
        console_error_panic_hook::set_once();
    }
    let query = settings_query(&settings)?;
    let parsed = parse(&query);
    let message = parsed.message();
    let state = parsed.state;
    leptos::mount::mount_to(element, move || view! { <Playground state=state message=message url_bound=false /> })
        .forget();
    Ok(())
}

/// `mount`'s settings as a query string.
fn settings_query(settings: &JsValue) -> Result<String, JsValue> {
    if settings.is_undefined() || settings.is_null() {
        return Ok(String::new());
    }
    if let Some(s) = settings.as_string() {
        return Ok(s);
    }
    if !settings.is_object() {
        return Err(JsValue::from_str("mount(element, settings): settings must be a query string or an object"));
    }
    let entries = js_sys::Object::entries(settings.unchecked_ref());
    let pairs: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            let pair: js_sys::Array = e.dyn_into().ok()?;
            let key = pair.get(0).as_string()?;
            let value = pair.get(1);
            let value = value
                .as_string()
                .or_else(|| value.as_f64().map(|x| x.to_string()))
                .or_else(|| value.as_bool().map(|b| if b { "1" } else { "0" }.to_string()))
                .unwrap_or_else(|| String::from("?"));
            Some(format!("{}={}", encode(&key), encode(&value)))
        })
        .collect();
    Ok(pairs.join("&"))
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}
