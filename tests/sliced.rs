//! The page's refresh of the exact numbers, run a slice per animation frame (engine::slice,
//! `Fit::refresh_sliced`), gives the numbers of the refresh run at once, bit for bit, however
//! finely it is cut, and is of q as it was when it started, whatever the fit does meanwhile.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{settings, with_option};
use vi_playground::engine::fit::Fit;
use vi_playground::engine::settings::Value;
use vi_playground::engine::slice::Budget;

/// The refreshes compared, bit for bit: Debug prints every f64 exactly.
fn bits<T: std::fmt::Debug>(x: &T) -> String {
    format!("{x:?}")
}

#[test]
fn a_refresh_in_slices_equals_the_refresh_at_once() {
    let cases = [
        // A flow: every cubature, the PSIS and CUBO₂ draws.
        with_option(with_option(settings("banana", f64::NAN, "flow", "reverse", 3), "depth", 2.0), "width", 8.0),
        // A mixture with Rényi (D_α by its own cubature) and full-rank with IWAE (L_K's draws).
        {
            let mut s = settings("bimodal", f64::NAN, "mixture", "renyi", 4);
            s.set(&vi_playground::engine::objective::renyi::ALPHA, Value::Number(0.5)).unwrap();
            s
        },
        settings("ring", f64::NAN, "full-rank", "iwae", 5),
    ];
    for s in cases {
        let mut fit = Fit::new(s.clone()).unwrap();
        fit.step(200);
        let at_once = fit.refresh();
        // The diagnostics alone are the refresh's, without its moments' cubature.
        assert_eq!(bits(&fit.diagnostics()), bits(&at_once.0));
        // A clock always past the deadline: a pause at every checkpoint.
        let ticks = Rc::new(Cell::new(0u64));
        let t = ticks.clone();
        let budget = Rc::new(Budget::new(move || {
            t.set(t.get() + 1);
            1.0
        }));
        let mut sliced = fit.refresh_sliced(budget);
        // The fit goes on meanwhile: the refresh is of q at step 200.
        fit.step(50);
        let mut out = None;
        while out.is_none() {
            out = sliced.resume(0.0);
        }
        let out = out.unwrap();
        assert_eq!(bits(&out), bits(&at_once), "{} × {} × {}", s.target, s.family, s.objective);
        assert!(sliced.slices > 100, "{}: cut into {} slices", s.family, sliced.slices);
        assert_eq!(ticks.get() + 1, sliced.slices as u64, "one pause at each look at the clock");
        assert_ne!(bits(&fit.refresh()), bits(&at_once), "the fit has moved on");
        // A deadline never reached: one slice.
        let mut once = fit.refresh_sliced(Rc::new(Budget::new(|| 0.0)));
        assert_eq!(bits(&once.resume(1.0).unwrap()), bits(&fit.refresh()));
    }
}
