//! The logistic data panel's logic (`playground::data`): clicking points in and out, and the
//! curves it draws, against hand-computed values.

#![cfg(not(target_arch = "wasm32"))]

use vi_playground::engine::math::{rng_from_seed, std_normal2};
use vi_playground::engine::Vec2;
use vi_playground::playground::data::{band, nearest, toggle, BAND};

#[test]
fn a_click_adds_a_snapped_point_or_removes_the_nearest_of_its_class() {
    let pts = vec![[0.5, 1.0], [0.55, 0.0], [2.0, 1.0]];
    // Near a class-1 point: removed (the nearest of that class, not the class-0 one nearer).
    assert_eq!(toggle(&pts, 0.56, 1.0), (vec![[0.55, 0.0], [2.0, 1.0]], true));
    // Class 0 near 0.55: that one goes.
    assert_eq!(toggle(&pts, 0.5, 0.0), (vec![[0.5, 1.0], [2.0, 1.0]], true));
    // Far from any: added, snapped to 0.05 and held to [−3, 3].
    assert_eq!(toggle(&pts, -1.234, 0.0).0.last(), Some(&[-1.25, 0.0]));
    assert_eq!(toggle(&pts, 7.0, 1.0).0.last(), Some(&[3.0, 1.0]));
    // Full: nothing added, and it says so.
    let full: Vec<[f64; 2]> = (0..200).map(|i| [-3.0 + 0.01 * i as f64, 0.0]).collect();
    assert_eq!(toggle(&full, 2.5, 1.0), (full.clone(), false));
    assert_eq!(nearest(&pts, 1.9), Some(2));
    assert_eq!(nearest(&[], 1.9), None);
}

#[test]
fn the_band_of_one_point_is_its_curve_and_a_spread_gives_the_normal_quantiles() {
    let b = band(&[Vec2::new(0.5, 2.0); 5], None).unwrap();
    for (i, &x) in b.x.iter().enumerate() {
        let want = 1.0 / (1.0 + (-(0.5 + 2.0 * x)).exp());
        assert!((b.mean[i] - want).abs() < 1e-12 && b.lo[i] == b.mean[i] && b.hi[i] == b.mean[i]);
    }
    assert_eq!((b.x[0], *b.x.last().unwrap()), (-3.0, 3.0));
    // α ~ N(0, 1), β = 0: the band is σ of α's 10 % and 90 % quantiles (±1.2816) at every x.
    let mut rng = rng_from_seed(3);
    let draws: Vec<Vec2> = (0..20_000).map(|_| Vec2::new(std_normal2(&mut rng)[0], 0.0)).collect();
    let b = band(&draws, None).unwrap();
    let z: f64 = 1.281_551_565_5;
    assert_eq!(BAND, (0.1, 0.9));
    for i in 0..b.x.len() {
        assert!((b.lo[i] - 1.0 / (1.0 + z.exp())).abs() < 0.01, "{}", b.lo[i]);
        assert!((b.hi[i] - 1.0 / (1.0 + (-z).exp())).abs() < 0.01, "{}", b.hi[i]);
    }
    assert!(band(&[], None).is_none());
    // The curve is at the centre given (q's mean), the band still the draws'.
    let c = band(&draws, Some(Vec2::new(1.0, 0.0))).unwrap();
    assert!((c.mean[0] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-12 && c.lo == b.lo);
}
