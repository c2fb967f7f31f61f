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
    // Two of the class within reach: the nearer goes, whichever comes first.
    for two in [vec![[0.5, 1.0], [0.6, 1.0]], vec![[0.6, 1.0], [0.5, 1.0]]] {
        assert_eq!(toggle(&two, 0.58, 1.0).0, vec![[0.5, 1.0]], "{two:?}");
    }
    assert_eq!(nearest(&pts, 1.9), Some(2));
    // The nearest, wherever x lies and in whatever order the points come.
    let many = [[0.3, 0.0], [-1.2, 1.0], [2.2, 0.0], [0.9, 1.0], [-2.7, 0.0]];
    for i in 0..=60 {
        let x = -3.0 + 0.1 * i as f64;
        let want = (0..many.len()).min_by(|&a, &b| (many[a][0] - x).abs().total_cmp(&(many[b][0] - x).abs()));
        assert_eq!(nearest(&many, x), want, "x = {x}");
        let rev: Vec<[f64; 2]> = many.iter().rev().copied().collect();
        assert_eq!(nearest(&rev, x).map(|j| many.len() - 1 - j), want, "reversed, x = {x}");
    }
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
    // Five draws: the 10 % and 90 % quantiles are the first and the last (indices round(0.4), round(3.6)).
    let five: Vec<Vec2> = [-2.0, -1.0, 0.0, 1.0, 2.0].iter().map(|&a| Vec2::new(a, 0.0)).collect();
    let f = band(&five, None).unwrap();
    let s = |t: f64| 1.0 / (1.0 + (-t).exp());
    assert!((f.lo[0] - s(-2.0)).abs() < 1e-12 && (f.hi[0] - s(2.0)).abs() < 1e-12, "{} {}", f.lo[0], f.hi[0]);
    // The curve is at the centre given (q's mean), the band still the draws'.
    let c = band(&draws, Some(Vec2::new(1.0, 0.0))).unwrap();
    assert!((c.mean[0] - 1.0 / (1.0 + (-1.0f64).exp())).abs() < 1e-12 && c.lo == b.lo);
}

/// q's band: the curve at the mean given; the MCMC band: 200 draws evenly spaced through the run.
#[test]
fn the_bands_of_q_and_of_the_draws() {
    use vi_playground::engine::family::{Gaussian, Structure};
    use vi_playground::engine::Mat2;
    use vi_playground::playground::data::{band_of_draws, band_of_q};
    let q = Gaussian::new(Structure::FullRank, Vec2::new(0.5, 2.0), &Mat2::new(0.01, 0.0, 0.0, 0.01));
    let b = band_of_q(&q, Vec2::new(0.5, 2.0)).unwrap();
    for (i, &x) in b.x.iter().enumerate() {
        let want = 1.0 / (1.0 + (-(0.5 + 2.0 * x)).exp());
        assert!((b.mean[i] - want).abs() < 1e-12);
        assert!(b.lo[i] <= want + 1e-12 && b.hi[i] >= want - 1e-12 && b.hi[i] - b.lo[i] < 0.05);
    }
    // Of 1000 draws, every fifth (but the first) is at α = 3, the rest at −3: thinned to every
    // fifth, 199 at 3 and the first at −3, so the band is σ(3) and the curve σ(mean α = 2.97).
    let draws: Vec<Vec2> = (0..1000).map(|i| Vec2::new(if i % 5 == 0 && i > 0 { 3.0 } else { -3.0 }, 0.0)).collect();
    let t = band_of_draws(draws.len(), draws.iter().copied()).unwrap();
    let s = |a: f64| 1.0 / (1.0 + (-a).exp());
    assert!(t.lo.iter().chain(&t.hi).all(|v| (v - s(3.0)).abs() < 1e-12), "{:?}", &t.lo[..3]);
    assert!(t.mean.iter().all(|v| (v - s(2.97)).abs() < 1e-12), "{:?}", &t.mean[..3]);
    assert!(band_of_draws(0, std::iter::empty()).is_none());
}
