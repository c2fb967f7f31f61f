//! wasm-bindgen-test in headless Chromium: the engine in wasm against the native engine, and the
//! page's components mounted, driven and read back from the DOM.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

use vi_playground::app::components::{DensityCanvas, TargetControls};
use vi_playground::app::state::TargetChoice;
use vi_playground::engine::fit::{Fit, Settings};

wasm_bindgen_test_configure!(run_in_browser);

/// The seeded fit that scripts/test.sh also runs natively with
/// `vi-fit --target banana --family full-rank --samples 8 --lr 0.05 --steps 2000 --seed 42`; its
/// JSON reaches this test at compile time in `VI_NATIVE_REFERENCE`.
#[wasm_bindgen_test]
fn seeded_fit_gives_the_native_numbers() {
    let Some(reference) = option_env!("VI_NATIVE_REFERENCE") else {
        panic!(
            "VI_NATIVE_REFERENCE is not set: run the browser tests through scripts/test.sh, which computes it natively"
        );
    };
    let settings = Settings {
        target: "banana".into(),
        target_param: 1.0,
        family: "full-rank".into(),
        samples: 8,
        lr: 0.05,
        seed: 42,
        ..Settings::default()
    };
    let mut fit = Fit::new(settings).unwrap();
    assert_eq!(fit.step(2000), 2000);
    let snap = fit.snapshot();
    let diag = fit.diagnostics();
    let want = |key: &str| -> Vec<f64> {
        let start = reference.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} missing from {reference}"))
            + key.len()
            + 3;
        let rest = reference[start..].trim_start();
        let end =
            if rest.starts_with('[') { rest.find(']').unwrap() + 1 } else { rest.find([',', '}', '\n']).unwrap() };
        rest[..end].trim_matches(['[', ']']).split(',').map(|v| v.trim().parse::<f64>().unwrap()).collect()
    };
    // Bit for bit: the engine does all transcendental maths through libm.
    assert_eq!(snap.params, want("params"), "parameters after 2000 steps");
    assert_eq!(vec![snap.elbo_avg], want("elbo"));
    assert_eq!(vec![snap.elbo], want("elbo_last"));
    assert_eq!(vec![diag.kl.kl_qp], want("kl_qp"));
    assert_eq!(vec![diag.kl.kl_pq], want("kl_pq"));
    assert_eq!(vec![diag.k_hat], want("k_hat"));
}

/// A fresh element in the page to mount into.
fn host() -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

fn by_testid<T: JsCast>(root: &HtmlElement, id: &str) -> T {
    root.query_selector(&format!("[data-testid='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {id}"))
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn slider_and_select_drive_the_target() {
    let root = host();
    let target = RwSignal::new(TargetChoice::default());
    leptos::mount::mount_to(root.clone(), move || view! { <TargetControls target=target /> }).forget();

    let readout: HtmlElement = by_testid(&root, "param-value");
    assert_eq!(readout.text_content().unwrap(), "ρ = 0.90");

    let slider: HtmlInputElement = by_testid(&root, "param-slider");
    slider.set_value("0.25");
    slider.dispatch_event(&Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(readout.text_content().unwrap(), "ρ = 0.25");
    assert_eq!(target.get_untracked().param, 0.25);

    let select: HtmlSelectElement = by_testid(&root, "target-select");
    select.set_value("banana");
    select.dispatch_event(&Event::new("change").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(
        target.get_untracked(),
        TargetChoice { name: "banana", param: 1.0 },
        "a new target starts at its default"
    );
    assert_eq!(readout.text_content().unwrap(), "b = 1.00");
    assert_eq!(slider.max(), "2");
}

/// The density canvas draws the heatmap (dark blue at the mode) and redraws when ρ changes.
#[wasm_bindgen_test]
async fn density_canvas_draws_and_redraws() {
    let root = host();
    let target = RwSignal::new(TargetChoice::named("correlated").unwrap());
    leptos::mount::mount_to(root.clone(), move || view! { <DensityCanvas target=target /> }).forget();
    leptos::task::tick().await;
    let canvas: HtmlCanvasElement = by_testid(&root, "main-canvas");
    let pixels = || {
        let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
        ctx.get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64).unwrap().data().0
    };
    let before = pixels();
    let dark_blue = before.chunks(4).filter(|p| p[2] > 90 && p[0] < 40 && p[1] < 100).count();
    assert!(dark_blue > 100, "the mode should be drawn dark blue: {dark_blue} such pixels");

    target.set(TargetChoice::named("correlated").unwrap().with_param(-0.5));
    leptos::task::tick().await;
    let after = pixels();
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert!(changed > 1000, "ρ = −0.5 should redraw the canvas: {changed} bytes changed");
    let status: HtmlElement = by_testid(&root, "status-message");
    assert_eq!(status.text_content().unwrap(), "", "no error shown");
}
