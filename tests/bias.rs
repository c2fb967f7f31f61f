//! The bias table pinned on hand-made cases: where it flags (more than 3 combined standard errors
//! of VI − MCMC), what it puts in the exact column, and that a NaN is flagged, not hidden.

#![cfg(not(target_arch = "wasm32"))]

use vi_playground::engine::bias::{bias_panel, bias_table, BiasRow, FLAG_MCSE, REFERENCE_MCSE};
use vi_playground::engine::mcmc::Summary;
use vi_playground::engine::target::Exact;
use vi_playground::engine::{Mat2, Vec2};

/// An MCMC summary of mean (0, 0), sds (1, 1), correlation 0.5, with MCSEs 0.01 (means),
/// 0.02 (sds) and 0.03 (correlation).
fn summary() -> Summary {
    Summary {
        chains: 4,
        draws: 8000,
        mean: Vec2::zeros(),
        cov: Mat2::new(1.0, 0.5, 0.5, 1.0),
        sd: Vec2::new(1.0, 1.0),
        corr: 0.5,
        rhat: [1.0; 2],
        ess_bulk: [4000.0; 2],
        ess_tail: [4000.0; 2],
        ess_mean: [4000.0; 2],
        mcse_mean: [0.01; 2],
        mcse_sd: [0.02; 2],
        mcse_corr: 0.03,
        accept_rate: 0.9,
        divergences: 0,
        mean_tree_depth: None,
        leapfrogs_per_draw: None,
        e_bfmi: Some(1.0),
        step_size: vec![0.5],
    }
}

/// q = N(mean, cov) with the given means, sds and correlation.
fn q(mx: f64, my: f64, sx: f64, sy: f64, r: f64) -> (Vec2, Mat2) {
    (Vec2::new(mx, my), Mat2::new(sx * sx, r * sx * sy, r * sx * sy, sy * sy))
}

fn flags(rows: &[BiasRow]) -> Vec<bool> {
    rows.iter().map(|r| r.flagged).collect()
}

#[test]
fn a_row_is_flagged_beyond_three_standard_errors_and_not_within() {
    assert_eq!(FLAG_MCSE, 3.0);
    let none = Exact { log_z: None, mean: None, cov: None };
    // Exactly MCMC's values: nothing flagged.
    assert_eq!(flags(&bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.5)], &summary(), &none)), [false; 5]);
    // Two MCSE off in every quantity: not flagged. Four: every row flagged.
    let two = bias_table(&[q(0.02, -0.02, 1.04, 0.96, 0.56)], &summary(), &none);
    assert_eq!(flags(&two), [false; 5], "{two:?}");
    let four = bias_table(&[q(0.04, -0.04, 1.08, 0.92, 0.62)], &summary(), &none);
    assert_eq!(flags(&four), [true; 5], "{four:?}");
    for r in &four {
        assert!((r.z().abs() - 4.0).abs() < 1e-9, "{} at {} SE", r.quantity, r.z());
    }
    // Only the correlation off: only its row.
    let corr = bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.62)], &summary(), &none);
    assert_eq!(flags(&corr), [false, false, false, false, true]);
}

/// VI's own jitter counts: the snapshots' spread over √n is its standard error, combined with the
/// MCSE in quadrature.
#[test]
fn the_fits_own_jitter_widens_the_threshold() {
    let none = Exact { log_z: None, mean: None, cov: None };
    // mean x over two snapshots: 0.05 ± 0.02 (sd 0.0283 / √2); combined SE √(0.01² + 0.02²) = 0.02236.
    let rows = bias_table(&[q(0.03, 0.0, 1.0, 1.0, 0.5), q(0.07, 0.0, 1.0, 1.0, 0.5)], &summary(), &none);
    let r = &rows[0];
    assert!((r.vi - 0.05).abs() < 1e-12 && (r.vi_se - 0.02).abs() < 1e-12, "{r:?}");
    assert!((r.se() - 0.0005f64.sqrt()).abs() < 1e-12);
    assert!(!r.flagged, "0.05 is 2.24 combined SE from 0: {r:?}");
    let rows = bias_table(&[q(0.06, 0.0, 1.0, 1.0, 0.5), q(0.1, 0.0, 1.0, 1.0, 0.5)], &summary(), &none);
    assert!(rows[0].flagged, "0.08 is 3.58 combined SE from 0: {:?}", rows[0]);
    // Three snapshots (n − 1 = 2 tells a divided variance from a multiplied one): 0, 0.03, 0.09
    // have mean 0.04, variance 0.0042/2 and standard error √(0.0021/3) = 0.026458.
    let three = [q(0.0, 0.0, 1.0, 1.0, 0.5), q(0.03, 0.0, 1.0, 1.0, 0.5), q(0.09, 0.0, 1.0, 1.0, 0.5)];
    let r = &bias_table(&three, &summary(), &none)[0];
    assert!((r.vi - 0.04).abs() < 1e-12 && (r.vi_se - (0.0021f64 / 3.0).sqrt()).abs() < 1e-12, "{r:?}");
}

#[test]
fn the_exact_column_holds_the_exact_moments_and_a_nan_is_flagged() {
    let exact = Exact { log_z: Some(0.0), mean: Some(Vec2::new(0.1, 0.2)), cov: Some(Mat2::new(4.0, 1.2, 1.2, 1.0)) };
    let rows = bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.5)], &summary(), &exact);
    let exact_column: Vec<Option<f64>> = rows.iter().map(|r| r.exact).collect();
    // sd x = √4 = 2, sd y = 1, correlation 1.2/(2·1) = 0.6.
    assert_eq!(exact_column, [Some(0.1), Some(0.2), Some(2.0), Some(1.0), Some(0.6)]);
    let quantities: Vec<&str> = rows.iter().map(|r| r.quantity).collect();
    assert_eq!(quantities, ["mean x", "mean y", "sd x", "sd y", "corr"]);
    // Only a covariance known: no exact mean is made up (the sds and correlation are there).
    let cov_only = Exact { log_z: None, mean: None, cov: Some(Mat2::new(4.0, 1.2, 1.2, 1.0)) };
    let column: Vec<Option<f64>> =
        bias_table(&[q(0.0, 0.0, 1.0, 1.0, 0.5)], &summary(), &cov_only).iter().map(|r| r.exact).collect();
    assert_eq!(column, [None, None, Some(2.0), Some(1.0), Some(0.6)]);
    // A q gone non-finite is flagged, never passed as "within the noise".
    let rows = bias_table(&[q(f64::NAN, 0.0, 1.0, 1.0, 0.5)], &summary(), &exact);
    assert!(rows[0].flagged && !rows[1].flagged, "{rows:?}");
}

/// science.md ("MCMC reference"): where the reference cannot be trusted the panel says so in words
/// and flags nothing. Each concern alone, at its threshold (Vehtari et al. 2021: R̂ ≤ 1.01, ESS ≥ 100
/// per chain; Stan: E-BFMI ≥ 0.3; any divergence), and a reference more than 4 MCSE from a known
/// exact value, which R̂ cannot see when every chain missed the same mode.
#[test]
fn an_untrustworthy_reference_says_why_and_flags_nothing() {
    assert_eq!(REFERENCE_MCSE, 4.0);
    let none = Exact { log_z: None, mean: None, cov: None };
    let far = [q(0.1, 0.1, 1.2, 1.2, 0.8)]; // every row 10 SE off
    let good = bias_panel(&far, &summary(), &none);
    assert!(good.concerns.is_empty(), "{:?}", good.concerns);
    assert_eq!(flags(&good.rows), [true; 5]);

    let cases: [(&str, fn(&mut Summary)); 8] = [
        ("R̂", |s| s.rhat[1] = 1.011),
        ("divergent", |s| s.divergences = 1),
        ("effective draws", |s| s.ess_bulk[0] = 399.0),
        ("effective draws", |s| s.ess_tail[1] = 399.0),
        ("E-BFMI", |s| s.e_bfmi = Some(0.29)),
        ("R̂", |s| s.rhat[0] = f64::NAN),
        ("effective draws", |s| {
            s.chains = 8;
            s.ess_bulk = [799.0; 2]
        }),
        ("E-BFMI", |s| s.e_bfmi = Some(f64::NAN)),
    ];
    for (word, spoil) in cases {
        let mut s = summary();
        spoil(&mut s);
        let panel = bias_panel(&far, &s, &none);
        assert!(panel.concerns.len() == 1 && panel.concerns[0].contains(word), "{word}: {:?}", panel.concerns);
        assert_eq!(flags(&panel.rows), [false; 5], "{word}: flagged against an untrusted reference");
    }
    // Just inside each threshold: no concern.
    let mut s = summary();
    s.rhat = [1.01; 2];
    s.ess_bulk = [400.0; 2];
    s.ess_tail = [400.0; 2];
    s.e_bfmi = Some(0.3);
    assert!(bias_panel(&far, &s, &none).concerns.is_empty());
    // RWMH has no E-BFMI: none is no concern.
    s.e_bfmi = None;
    assert!(bias_panel(&far, &s, &none).concerns.is_empty());

    // The exact values: the MCMC sd of y (1 ± 0.02) 5 MCSE from an exact 1.1 is a concern naming
    // it; 3.9 MCSE (1.078) is not.
    let exact = |sy: f64| Exact {
        log_z: Some(0.0),
        mean: Some(Vec2::zeros()),
        cov: Some(Mat2::new(1.0, 0.5 * sy, 0.5 * sy, sy * sy)),
    };
    let panel = bias_panel(&far, &summary(), &exact(1.1));
    assert!(panel.concerns.len() == 1 && panel.concerns[0].contains("sd y by 5 MCSE"), "{:?}", panel.concerns);
    assert_eq!(flags(&panel.rows), [false; 5]);
    assert!(bias_panel(&far, &summary(), &exact(1.078)).concerns.is_empty());
}
