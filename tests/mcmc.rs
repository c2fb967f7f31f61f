//! The MCMC reference: diagnostics against cases with known answers, samplers against the exact
//! moments of shared/science.md (oracle 8), and the bias table against oracle 1.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::bias::bias_table;
use vi_playground::engine::math::{rng_from_seed, std_normal2};
use vi_playground::engine::mcmc::diagnostics::{ess, ess_bulk, ess_tail, mcse_mean, normal_quantile, rhat};
use vi_playground::engine::mcmc::nuts::{Nuts, MAX_DEPTH};
use vi_playground::engine::mcmc::{Mcmc, McmcSettings, Point, SamplerKind, Summary};
use vi_playground::engine::{Mat2, Vec2};

fn normal_chains(m: usize, n: usize, seed: u64, shift: f64) -> Vec<Vec<f64>> {
    let mut rng = rng_from_seed(seed);
    (0..m).map(|c| (0..n).map(|_| std_normal2(&mut rng)[0] + shift * c as f64).collect()).collect()
}

#[test]
fn normal_quantile_matches_known_values() {
    // Φ⁻¹ at points in each branch of AS 241 and on both sides of ½ (the central |p − ½| ≤ 0.425, the
    // middle tail to p ≈ e⁻²⁵, the far tail), from mpmath's √2 erfinv(2p − 1) at 400 digits
    // (tests/oracles/diagnostics_arviz.py).
    for (p, want) in [
        (0.5, 0.0),
        (0.3, -0.52440051270804082),
        (0.8413447460685429, 0.99999999999999991),
        (0.975, 1.9599639845400539),
        (1e-10, -6.3613409024040562),
        (1e-20, -9.2623400897984076),
        (0.999999999999999, 7.9414444874159788),
        (0.07, -1.4757910281791707),
        (0.93, 1.4757910281791711),
        (1e-300, -37.047096299361199),
    ] {
        let got = normal_quantile(p);
        assert!((got - want).abs() < 1e-12 * (1.0 + want.abs()), "Φ⁻¹({p}) = {got}, want {want}");
    }
    // The ends of [0, 1] and what lies outside it.
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    for p in [-0.1, 1.1, f64::NAN, f64::INFINITY] {
        assert!(normal_quantile(p).is_nan(), "Φ⁻¹({p})");
    }
    // The smallest positive numbers: finite (the far tail reaches p = 5e-324).
    assert!(normal_quantile(f64::MIN_POSITIVE).is_finite() && normal_quantile(5e-324).is_finite());
}

/// The chains of tests/oracles/diagnostics_arviz.py, bit for bit: m chains of an AR(1) recursion
/// xₜ = φxₜ₋₁ + (vₜ − ½) driven by a 31-bit linear congruential generator.
fn lcg_chains(m: usize, n: usize, phi: f64, seed: u64) -> Vec<Vec<f64>> {
    let mut u = seed;
    (0..m)
        .map(|_| {
            let mut x = 0.0;
            (0..n)
                .map(|_| {
                    u = (1_103_515_245 * u + 12_345) % (1 << 31);
                    let v = u as f64 / (1u64 << 31) as f64;
                    x = phi * x + (v - 0.5);
                    x
                })
                .collect()
        })
        .collect()
}

/// R̂, bulk- and tail-ESS, the ESS and MCSE of the mean and E-BFMI against ArviZ 0.23.4
/// (`_rhat_rank`, `_ess_bulk`, `_ess_tail`, `_ess_mean`, `_mcse_mean`, `bfmi`), an independent
/// implementation of the same definitions (Vehtari et al. 2021), on seven chain sets that reach
/// every branch: autocorrelated, a shifted chain, a chain at twice the scale, heavy tails, ties in
/// the ranks, an odd length (the middle draw dropped), and anticorrelated draws whose ESS passes the
/// S·log₁₀S cap. Values from tests/oracles/diagnostics_arviz.py; both sides compute in f64 by the same
/// formulas in different orders, so they agree to about 1e-13: within 1e-9 relative.
#[test]
fn diagnostics_match_arviz() {
    use vi_playground::engine::mcmc::diagnostics::e_bfmi;
    let ar05 = lcg_chains(4, 500, 0.5, 1);
    let mut shifted = lcg_chains(4, 400, 0.9, 2);
    shifted[3].iter_mut().for_each(|x| *x += 0.5);
    let mut scaled = lcg_chains(4, 300, 0.3, 3);
    scaled[1].iter_mut().for_each(|x| *x *= 2.0);
    let heavy: Vec<Vec<f64>> =
        lcg_chains(2, 1000, 0.7, 4).iter().map(|c| c.iter().map(|x| x * x * x).collect()).collect();
    let ties: Vec<Vec<f64>> =
        lcg_chains(4, 250, 0.6, 5).iter().map(|c| c.iter().map(|x| (x * 2.0).floor() / 2.0).collect()).collect();
    let odd = lcg_chains(3, 301, 0.2, 6);
    let anti = lcg_chains(2, 500, -0.6, 7);
    let sets = [
        ("ar05", ar05),
        ("shifted", shifted),
        ("scaled", scaled),
        ("heavy", heavy),
        ("ties", ties),
        ("odd", odd),
        ("anti", anti),
    ];
    // (name, [R̂, bulk-ESS, tail-ESS, ESS of the mean, MCSE of the mean], E-BFMI of the first chain)
    let arviz: [(&str, [f64; 5], f64); 7] = [
        (
            "ar05",
            [1.0071055313378177, 607.6276630459762, 959.554679999968, 615.5930660708808, 0.01370194282651173],
            0.8743947598087932,
        ),
        (
            "shifted",
            [1.1762399964769876, 16.78848601521614, 34.55300285740696, 16.44000123043261, 0.18169824452670374],
            0.23938151688306045,
        ),
        (
            "scaled",
            [1.1193718181877523, 645.9956950390158, 32.941651767139945, 629.1811097550932, 0.016683389087642567],
            1.4890244103015697,
        ),
        (
            "heavy",
            [1.0005939573755662, 427.7237829704099, 712.0678919828499, 450.11133277509254, 0.009716742004178708],
            0.8303316636577694,
        ),
        (
            "ties",
            [1.0296821095239674, 290.4227085672428, 474.8699957496006, 291.6479928215025, 0.023526964620662817],
            0.8349742030358168,
        ),
        (
            "odd",
            [0.9994880986156438, 666.9907907352097, 696.5149878386164, 703.5678277896104, 0.01103974264678473],
            1.6467438808001151,
        ),
        ("anti", [1.0001195098587978, 3000.0, 808.8269268816568, 3000.0, 0.006704069495017214], 3.202228937523756),
    ];
    for ((name, chains), (want_name, want, want_bfmi)) in sets.iter().zip(arviz) {
        assert_eq!(*name, want_name);
        let (mcse, ess_mean) = mcse_mean(chains);
        let got = [rhat(chains), ess_bulk(chains), ess_tail(chains), ess_mean, mcse];
        for (what, (g, w)) in
            ["R̂", "bulk-ESS", "tail-ESS", "ESS of the mean", "MCSE of the mean"].iter().zip(got.iter().zip(want))
        {
            assert!((g - w).abs() <= 1e-9 * w.abs(), "{name}: {what} {g}, ArviZ {w}");
        }
        let b = e_bfmi(&chains[0]);
        assert!((b - want_bfmi).abs() <= 1e-9 * want_bfmi, "{name}: E-BFMI {b}, ArviZ {want_bfmi}");
    }
}

/// ESS at its edges against ArviZ's `_ess` (tests/oracles/diagnostics_arviz.py): one chain (no
/// between-chain variance), and the shortest chains, where Geyer's sequence has room for no pair
/// after the first (4–7 draws; at 4 the cap S·log₁₀S) or for one (8). Fewer than 4 draws, and
/// constant draws, have no ESS: NaN (where ArviZ returns S for constant draws, the page shows "—").
#[test]
fn ess_at_its_edges_matches_arviz() {
    for (m, n, want) in [
        (1, 400, 159.30575879870582),
        (2, 4, 7.224719895935548),
        (3, 5, 14.980537394804754),
        (2, 6, 4.6685365829240535),
        (2, 7, 5.5347844860715325),
        (2, 8, 6.406058771528902),
    ] {
        let got = ess(&lcg_chains(m, n, 0.4, 8));
        assert!((got - want).abs() <= 1e-9 * want, "{m} × {n}: ESS {got}, ArviZ {want}");
    }
    assert!(ess(&lcg_chains(2, 3, 0.4, 8)).is_nan(), "3 draws");
    assert!(ess(&[vec![0.7; 50], vec![0.7; 50]]).is_nan(), "constant draws");
    let mut wild = lcg_chains(2, 50, 0.4, 8);
    wild[1][7] = f64::INFINITY;
    assert!(ess(&wild).is_nan(), "an infinite draw");
    wild[1][7] = f64::NAN;
    assert!(ess(&wild).is_nan(), "a NaN draw");
}

#[test]
fn iid_draws_have_rhat_one_and_ess_near_n() {
    let chains = normal_chains(4, 1000, 1, 0.0);
    let r = rhat(&chains);
    assert!((r - 1.0).abs() < 0.01, "R̂ = {r}");
    for (what, e) in [("bulk", ess_bulk(&chains)), ("tail", ess_tail(&chains)), ("mean", mcse_mean(&chains).1)] {
        assert!((e / 4000.0 - 1.0).abs() < 0.15, "{what}-ESS = {e} for 4000 independent draws");
    }
}

#[test]
fn chains_with_shifted_means_have_large_rhat() {
    let r = rhat(&normal_chains(4, 1000, 2, 1.0));
    assert!(r > 1.3, "R̂ = {r}");
}

/// Folded R̂ (Vehtari et al. 2021, §4.2) sees a chain with the same mean and twice the scale, which
/// the plain split-R̂ of the location barely notices.
#[test]
fn folded_rhat_flags_a_chain_with_twice_the_scale() {
    let mut chains = normal_chains(4, 1000, 9, 0.0);
    for x in chains[3].iter_mut() {
        *x *= 2.0;
    }
    let r = rhat(&chains);
    assert!(r > 1.05, "R̂ = {r} with one chain twice as wide");
    // The same draws at one scale: no flag.
    let same = normal_chains(4, 1000, 9, 0.0);
    assert!(rhat(&same) < 1.01);
}

/// MCSE of the mean of N independent draws is sd/√N.
#[test]
fn mcse_of_the_mean_of_independent_draws_is_sd_over_root_n() {
    let chains = normal_chains(4, 2500, 10, 0.0);
    let (mcse, _) = mcse_mean(&chains);
    let want = 1.0 / 10_000f64.sqrt();
    // The ESS estimate of 10 000 independent draws is within a few per cent (its sd, measured over
    // seeds, about 2 %), so the MCSE within 5 %.
    assert!((mcse / want - 1.0).abs() < 0.05, "MCSE {mcse}, want {want}");
}

/// MCSE of the sd and of the correlation of N independent draws of a bivariate normal with sds 3
/// and ½ and correlation ρ (science.md, "MCMC reference": the delta method): sd/√(2N) and
/// (1 − ρ²)/√N. With N = 100 000 the estimated MCSE's ratio to its formula scatters with sd 0.5 %
/// (sd) and 0.8 % (correlation), at most 2.9 % off, over seeds 1–20 and both ρ (the ESS estimate and
/// the influence function's variance; `MCSE_SEEDS=1 cargo test --release --test mcmc mcse_of_sd --
/// --nocapture`), so within 5 %; a factor of 2 in either formula (the 2 of 2 sd, the ½ of the
/// correlation's influence function) or a lost centring or scaling fails it.
#[test]
fn mcse_of_sd_and_correlation_of_independent_draws_match_their_formulas() {
    use vi_playground::engine::mcmc::diagnostics::{mcse_corr, mcse_sd};
    let seeds: Vec<u64> = if std::env::var("MCSE_SEEDS").is_ok() { (1..=20).collect() } else { vec![11] };
    for seed in seeds {
        for rho in [0.0, 0.8] {
            let mut rng = rng_from_seed(seed);
            let (m, n) = (4, 25_000);
            let (mut xs, mut ys) = (vec![Vec::with_capacity(n); m], vec![Vec::with_capacity(n); m]);
            for c in 0..m {
                for _ in 0..n {
                    let z = std_normal2(&mut rng);
                    // Means and sds away from 0 and 1, so that centring and scaling count.
                    xs[c].push(3.0 + 3.0 * z[0]);
                    ys[c].push(-2.0 + 0.5 * (rho * z[0] + (1.0f64 - rho * rho).sqrt() * z[1]));
                }
            }
            let stats = |v: &[Vec<f64>]| {
                let all = v.concat();
                let mean = all.iter().sum::<f64>() / all.len() as f64;
                let var = all.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (all.len() as f64 - 1.0);
                (mean, var.sqrt())
            };
            let ((mx, sx), (my, sy)) = (stats(&xs), stats(&ys));
            let (xa, ya) = (xs.concat(), ys.concat());
            let r =
                xa.iter().zip(&ya).map(|(x, y)| (x - mx) * (y - my)).sum::<f64>() / (xa.len() as f64 - 1.0) / (sx * sy);
            let total = (m * n) as f64;
            let sd_got = mcse_sd(&xs, mx, sx);
            let sd_want = sx / (2.0 * total).sqrt();
            let corr_got = mcse_corr(&xs, &ys, [mx, my], [sx, sy], r);
            let corr_want = (1.0 - rho * rho) / total.sqrt();
            println!(
                "seed {seed} ρ {rho}: MCSE sd {:.4} of its formula, corr {:.4}",
                sd_got / sd_want,
                corr_got / corr_want
            );
            assert!((sd_got / sd_want - 1.0).abs() < 0.05, "ρ {rho}: MCSE of sd {sd_got}, want {sd_want}");
            assert!((corr_got / corr_want - 1.0).abs() < 0.05, "ρ {rho}: MCSE of corr {corr_got}, want {corr_want}");
        }
    }
}

/// NUTS leaves p invariant and is reversible: started from N independent exact draws of p, one
/// transition each gives N independent draws that must still be exact draws of p, and the pair
/// (start, end) must be as likely as (end, start). Checked on the banana (b = 1.5, where the
/// curvature varies along the trajectory) at a small and a large step size, and on a standard
/// normal at ε = 1.8, near the leapfrog's stability limit 2, where energy errors are large and the
/// multinomial weights far from uniform. Statistics against their closed forms (science.md, table
/// of targets: E x² = 1, E y² = σ² + 2b², E x²y = 2b; standard normal E x⁴ = 3), within 4 standard
/// errors of N independent draws:
/// - moments of x and y, and P(x > 1) = 1 − Φ(1);
/// - the energy H = −ln p̃(z) + |r|²/2 that the transition reports for its state: NUTS selects a
///   state of the trajectory with probability ∝ exp(−H), so (z, r) is a draw of the canonical
///   distribution and E H = 2 + ln 2π + ln σ on the banana (each of the four standardised
///   coordinates gives ½), 2 + ln 2π on the standard normal;
/// - reversibility: E[x₀x₁³ − x₁x₀³] = 0 for start x₀ and end x₁.
///
/// A wrong weight in the multinomial or the progressive sampling, a wrong direction, a leapfrog
/// with a wrong half step, a U-turn check that breaks the trajectory's symmetry or a wrong energy
/// moves one of them.
#[test]
fn one_nuts_transition_from_exact_draws_keeps_them_exact() {
    use std::f64::consts::PI;
    struct Case {
        target: &'static str,
        param: f64,
        step: f64,
        draw: fn(Vec2) -> Vec2,
        exact: [f64; 10],
    }
    // The banana's b and its fixed σ, as constants: `draw` is a fn pointer and cannot capture them.
    const B: f64 = 1.5;
    const SIGMA: f64 = 0.5;
    let p_x_above_1 = 0.15865525393145707;
    let banana = |step| Case {
        target: "banana",
        param: B,
        step,
        draw: |e| Vec2::new(e[0], B * (e[0] * e[0] - 1.0) + SIGMA * e[1]),
        exact: [
            0.0,
            0.0,
            1.0,
            SIGMA * SIGMA + 2.0 * B * B,
            0.0,
            2.0 * B,
            p_x_above_1,
            3.0,
            2.0 + (2.0 * PI).ln() + SIGMA.ln(),
            0.0,
        ],
    };
    let normal = Case {
        target: "correlated",
        param: 0.0,
        step: 1.8,
        draw: |e| e,
        exact: [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, p_x_above_1, 3.0, 2.0 + (2.0 * PI).ln(), 0.0],
    };
    let names = ["E x", "E y", "E x²", "E y²", "E xy", "E x²y", "P(x > 1)", "E x⁴", "E H", "E[x₀x₁³ − x₁x₀³]"];
    let n = 100_000;
    for (k, case) in [banana(0.25), banana(0.9), normal].into_iter().enumerate() {
        let t = common::target(case.target, case.param);
        let mut nuts = Nuts::new(0.8);
        nuts.step = case.step;
        let mut rng = rng_from_seed(40 + k as u64);
        let (mut sums, mut sq) = ([0.0f64; 10], [0.0f64; 10]);
        for _ in 0..n {
            let start = (case.draw)(std_normal2(&mut rng));
            let mut at = Point::at(t.as_ref(), start);
            let info = nuts.transition(t.as_ref(), &mut at, &mut rng);
            let (x0, x, y) = (start[0], at.q[0], at.q[1]);
            let f = [
                x,
                y,
                x * x,
                y * y,
                x * y,
                x * x * y,
                f64::from(u8::from(x > 1.0)),
                x * x * x * x,
                info.energy,
                x0 * x * x * x - x * x0 * x0 * x0,
            ];
            for i in 0..10 {
                sums[i] += f[i];
                sq[i] += f[i] * f[i];
            }
        }
        for i in 0..10 {
            let mean = sums[i] / n as f64;
            let se = ((sq[i] / n as f64 - mean * mean) / n as f64).sqrt();
            assert!(
                (mean - case.exact[i]).abs() < 4.0 * se,
                "{} ε = {}: {} = {mean} after one transition, exact {} (SE {se})",
                case.target,
                case.step,
                names[i],
                case.exact[i]
            );
        }
    }
}

/// The maximum depth: at ε = 1e-4 on a standard normal no trajectory turns back before 2¹⁰ − 1
/// leapfrog steps, so every transition stops at depth 10 having taken exactly 1023.
#[test]
fn nuts_stops_at_its_maximum_depth() {
    let t = common::target("correlated", 0.0);
    let mut nuts = Nuts::new(0.8);
    nuts.step = 1e-4;
    let mut rng = rng_from_seed(3);
    let mut at = Point::at(t.as_ref(), Vec2::new(0.5, -0.2));
    for _ in 0..20 {
        let info = nuts.transition(t.as_ref(), &mut at, &mut rng);
        assert_eq!((info.depth, info.leapfrogs, info.divergent), (MAX_DEPTH, (1 << MAX_DEPTH) - 1, false));
    }
}

/// Hoffman & Gelman's Algorithm 4, checked against a leapfrog step computed here by hand (on a
/// standard normal, ∇ ln p(q) = −q): from any starting ε the returned ε is the first, doubling or
/// halving, at which one step's acceptance exp(H₀ − H) crosses ½, so ε and the ε before it (ε/2 going
/// up, 2ε going down) lie on opposite sides of ½. The momentum is the first normal pair the sampler
/// draws (unit metric), replayed from a copy of the generator.
#[test]
fn find_reasonable_step_brackets_an_acceptance_of_one_half() {
    let t = common::target("correlated", 0.0);
    let accept = |q: Vec2, p: Vec2, eps: f64| {
        let h = |q: Vec2, p: Vec2| 0.5 * (q.norm_squared() + p.norm_squared());
        let p_half = p - q * (0.5 * eps);
        let q1 = q + p_half * eps;
        let p1 = p_half - q1 * (0.5 * eps);
        (h(q, p) - h(q1, p1)).exp()
    };
    let mut went = [0, 0];
    for (k, (start_step, q)) in [
        (1.0, Vec2::new(0.3, -0.2)),
        (1.0, Vec2::new(2.5, 1.0)),
        (0.01, Vec2::new(-1.0, 0.4)),
        (50.0, Vec2::new(0.1, 0.9)),
        (1.0, Vec2::new(0.0, 0.0)),
    ]
    .into_iter()
    .enumerate()
    {
        for seed in 0..20 {
            let mut nuts = Nuts::new(0.8);
            nuts.step = start_step;
            let mut rng = rng_from_seed(100 * k as u64 + seed);
            let p = std_normal2(&mut rng.clone());
            nuts.find_reasonable_step(t.as_ref(), &Point::at(t.as_ref(), q), &mut rng);
            let eps = nuts.step;
            let up = accept(q, p, start_step) > 0.5;
            let before = if up { eps / 2.0 } else { eps * 2.0 };
            went[usize::from(up)] += 1;
            let (a, a_before) = (accept(q, p, eps), accept(q, p, before));
            assert!(
                if up { a <= 0.5 && a_before > 0.5 } else { a > 0.5 && a_before <= 0.5 },
                "from ε = {start_step} at {q:?}: ε = {eps} accepts {a}, the ε before it {a_before}"
            );
            // Dual averaging restarts from the new ε: its first proposal, at the target acceptance,
            // is μ = ln 10ε (Hoffman & Gelman 2014, §3.2.1).
            let first = nuts.dual.clone().update(0.8);
            assert!((first / (10.0 * eps) - 1.0).abs() < 1e-12, "dual averaging starts at {first}, not 10ε");
        }
    }
    assert!(went[0] > 0 && went[1] > 0, "both directions tried: {went:?}");
}

/// No false divergences: from a point far out in the tail (energy about 600) at a stable step size the
/// energy error stays small, so nothing is flagged; nor on a narrow, strongly correlated Gaussian
/// (ρ = 0.99: ln p̃ near its mode is positive, energies near 0) at ε = 0.05, below its limit
/// 2√(1 − ρ) = 0.2.
#[test]
fn nuts_flags_no_divergence_at_a_stable_step_size() {
    let t = common::target("correlated", 0.0);
    let mut nuts = Nuts::new(0.8);
    nuts.step = 0.5;
    let mut rng = rng_from_seed(21);
    for _ in 0..50 {
        let mut at = Point::at(t.as_ref(), Vec2::new(25.0, -25.0));
        assert!(!nuts.transition(t.as_ref(), &mut at, &mut rng).divergent, "a divergence from (25, −25)");
    }
    let t = common::target("correlated", 0.99);
    nuts.step = 0.05;
    let mut at = Point::at(t.as_ref(), Vec2::new(0.0, 0.0));
    for _ in 0..5000 {
        assert!(!nuts.transition(t.as_ref(), &mut at, &mut rng).divergent, "a divergence at ρ = 0.99, ε = 0.05");
    }
}

/// A step size far beyond the leapfrog's stability limit (ε = 2 on N(0, I)) makes the energy error
/// explode: the transition is flagged divergent and stops at once, at depth 1 or 2.
#[test]
fn nuts_flags_a_divergence_at_an_unstable_step_size() {
    let t = common::target("correlated", 0.0);
    let mut nuts = Nuts::new(0.8);
    nuts.step = 40.0;
    let mut rng = rng_from_seed(12);
    let mut divergent = 0;
    for _ in 0..100 {
        let mut at = Point::at(t.as_ref(), Vec2::new(0.5, -0.5));
        let info = nuts.transition(t.as_ref(), &mut at, &mut rng);
        divergent += usize::from(info.divergent);
        assert!(info.depth <= 2, "a divergent tree stops: depth {}", info.depth);
    }
    assert!(divergent >= 95, "{divergent} of 100 transitions at ε = 40 flagged divergent");
    // At a stable step size, none.
    nuts.step = 0.5;
    let mut at = Point::at(t.as_ref(), Vec2::new(0.5, -0.5));
    assert!((0..100).all(|_| !nuts.transition(t.as_ref(), &mut at, &mut rng).divergent));
}

/// Four stationary Gaussian AR(1) chains xₜ = φxₜ₋₁ + √(1−φ²)εₜ of length n.
/// E-BFMI (Betancourt 2016, eq. 18) on energies of known structure: independent energies give
/// E[Σ(ΔE)²] = 2(n − 1)σ² against (n − 1)σ², so 2; an AR(1) sequence with coefficient φ gives
/// 2(1 − φ). 20 000 energies: the ratio's standard error is about 0.02.
#[test]
fn e_bfmi_of_known_energy_sequences() {
    use vi_playground::engine::mcmc::diagnostics::e_bfmi;
    let iid = &normal_chains(1, 20_000, 7, 0.0)[0];
    let e = e_bfmi(iid);
    assert!((e - 2.0).abs() < 0.06, "independent energies: E-BFMI {e}, want 2");
    for phi in [0.5, 0.9] {
        let e = e_bfmi(&ar1_chains(phi, 20_000, 3)[0]);
        let want = 2.0 * (1.0 - phi);
        assert!((e - want).abs() < 0.06, "AR(1) φ = {phi}: E-BFMI {e}, want {want}");
    }
    assert!(e_bfmi(&[1.0]).is_nan());
    // Two energies 1 and 3: Σ(ΔE)² = 4 over Σ(E − Ē)² = 2.
    assert_eq!(e_bfmi(&[1.0, 3.0]), 2.0);
    // Energies far from 0 (as NUTS's are): centring counts.
    let shifted: Vec<f64> = iid.iter().map(|e| e + 50.0).collect();
    assert!((e_bfmi(&shifted) - e).abs() < 1e-9, "E-BFMI moves with a shift of the energies");
}

fn ar1_chains(phi: f64, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng_from_seed(seed);
    (0..4)
        .map(|_| {
            let mut x = std_normal2(&mut rng)[0];
            (0..n)
                .map(|_| {
                    x = phi * x + (1.0 - phi * phi).sqrt() * std_normal2(&mut rng)[0];
                    x
                })
                .collect()
        })
        .collect()
}

/// An AR(1) chain has ESS/N → (1 − φ)/(1 + φ).
#[test]
fn ess_of_an_autoregressive_chain_matches_theory() {
    for phi in [0.5, 0.9] {
        let chains = ar1_chains(phi, 20_000, 3);
        let want = 80_000.0 * (1.0 - phi) / (1.0 + phi);
        let got = ess(&chains);
        assert!((got / want - 1.0).abs() < 0.15, "φ = {phi}: ESS {got}, theory {want}");
    }
}

/// For a Gaussian AR(1) chain no function of xₜ correlates with one of x₀ more than φᵗ (the
/// maximal correlation of a bivariate normal is |ρ|; Lancaster 1957), so the tail indicators'
/// ESS cannot fall below the ESS of the mean, and none exceeds the draw count by much.
#[test]
fn tail_ess_of_an_autoregressive_chain_is_at_least_its_mean_ess() {
    let chains = ar1_chains(0.8, 5_000, 6);
    let (tail, mean_ess) = (ess_tail(&chains), mcse_mean(&chains).1);
    assert!(tail >= 0.9 * mean_ess, "tail-ESS {tail} vs mean ESS {mean_ess}");
    assert!(tail < 20_000.0 * 1.1, "tail-ESS {tail} of 20000 draws");
}

fn sample(target: &str, param: f64, sampler: SamplerKind, seed: u64) -> Summary {
    let t = common::target(target, param);
    let mut m = Mcmc::new(t, McmcSettings { sampler, seed, ..McmcSettings::default() }).unwrap();
    while m.run(250) > 0 {} // in chunks, as the page runs it
    assert!(m.is_done());
    m.summary().unwrap()
}

/// Oracle 8: moments within 4 MCSE of the exact ones on every target; R̂ < 1.01 and bulk-ESS > 400
/// on the unimodal ones, with the default settings (4 chains, 2000 warm-up, 4000 draws, target
/// acceptance 0.99), no divergence and an E-BFMI near 1.
#[test]
fn nuts_reproduces_the_exact_moments() {
    for (name, param, seed) in [("correlated", 0.9, 1), ("banana", 1.0, 2), ("bimodal", 0.5, 3), ("bimodal", 0.3, 4)] {
        let s = sample(name, param, SamplerKind::Nuts, seed);
        check_moments(name, param, &s);
        if name != "bimodal" {
            // R̂ is itself random: above 1.01 in about 3 % of seeds on the banana (seed 2: 1.011),
            // so one seed is held to 1.02 and the rate over 60 seeds to < 5 % (next test).
            for k in 0..2 {
                assert!(s.rhat[k] < 1.02, "{name}: R̂ = {:?}", s.rhat);
                assert!(s.ess_bulk[k] > 400.0, "{name}: bulk-ESS = {:?}", s.ess_bulk);
            }
        }
        assert_eq!(s.divergences, 0, "{name}: divergent transitions");
        assert!((s.accept_rate - 0.99).abs() < 0.02, "{name}: accept_stat {} (target 0.99)", s.accept_rate);
        let e = s.e_bfmi.unwrap();
        assert!(e > 0.7, "{name}: E-BFMI {e} (a light-tailed target: about 1)");
    }
}

/// Oracle 14 (science.md): the MCSEs are calibrated. Over 200 seeds of the default NUTS reference on
/// `correlated` (ρ = 0.9, exact mean 0, sd 1, correlation 0.9), the errors in units of their own MCSE
/// have sd ≈ 1; science.md asks for [0.8, 1.25]. With 200 seeds a correct MCSE gives a sample sd
/// within 1 ± 0.1 (two standard errors of an sd, 1/√(2·200) = 0.05), well inside.
#[test]
fn mcse_of_mean_sd_and_correlation_is_calibrated_over_seeds() {
    let seeds = 200;
    let (mut mean_z, mut sd_z, mut corr_z) = (Vec::new(), Vec::new(), Vec::new());
    for seed in 0..seeds {
        let s = sample("correlated", 0.9, SamplerKind::Nuts, 1000 + seed);
        mean_z.push(s.mean[0] / s.mcse_mean[0]);
        sd_z.push((s.sd[0] - 1.0) / s.mcse_sd[0]);
        corr_z.push((s.corr - 0.9) / s.mcse_corr);
    }
    let spread = |z: &[f64]| {
        let m = z.iter().sum::<f64>() / z.len() as f64;
        (z.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (z.len() - 1) as f64).sqrt()
    };
    let (a, b, c) = (spread(&mean_z), spread(&sd_z), spread(&corr_z));
    println!("sd of (estimate − exact)/MCSE over {seeds} seeds: mean {a:.3}, sd {b:.3}, correlation {c:.3}");
    for (what, v) in [("mean", a), ("sd", b), ("correlation", c)] {
        assert!((0.8..=1.25).contains(&v), "{what}: errors/MCSE have sd {v:.3}, not in [0.8, 1.25]");
    }
}

/// NUTS stops at a U-turn. On a standard normal with the unit metric the Hamiltonian flow turns
/// every point round the origin with period 2π, so a trajectory turns back within about 2π/ε
/// leapfrog steps: on average a tree needs at most ⌈log₂(2π/ε)⌉ + 1 doublings, and none should run
/// to the maximum depth. Without Stan's checks across merged subtrees (2.26) the sampler missed the
/// turn and ran to depth 10 in 0.3 %–24 % of transitions at ε = 0.2, 1.45, 1.5, 1.55, 1.7, 1.85 and
/// 1.9. (At ε = 1.95, each leapfrog step turning the state by 154°, a few transitions in a thousand
/// still reach it, so the range stops at 1.9; the leapfrog is unstable from ε = 2.)
#[test]
fn nuts_turns_back_within_one_orbit_on_a_standard_normal() {
    let t = common::target("correlated", 0.0);
    for k in 1..=38 {
        let eps = 0.05 * k as f64;
        let mut nuts = Nuts::new(0.8);
        nuts.step = eps;
        let mut rng = rng_from_seed(k as u64);
        let mut at = Point::at(t.as_ref(), Vec2::new(0.3, -0.2));
        let n = 2000;
        let (mut depth, mut deepest) = (0usize, 0usize);
        for _ in 0..n {
            let info = nuts.transition(t.as_ref(), &mut at, &mut rng);
            assert!(!info.divergent, "ε = {eps}: a divergence on a standard normal");
            depth += info.depth;
            deepest = deepest.max(info.depth);
        }
        assert!(deepest < MAX_DEPTH, "ε = {eps:.2}: a tree ran to the maximum depth {deepest}");
        let bound = (2.0 * std::f64::consts::PI / eps).log2().ceil() + 1.0;
        let mean = depth as f64 / n as f64;
        assert!((1.0..=bound).contains(&mean), "ε = {eps:.2}: mean depth {mean}, one orbit needs {bound}");
    }
}

#[test]
fn random_walk_metropolis_reproduces_the_exact_moments() {
    for (name, param, seed) in [("correlated", 0.5, 5), ("banana", 0.5, 6)] {
        let s = sample(name, param, SamplerKind::Rwmh, seed);
        check_moments(name, param, &s);
        assert!(s.rhat.iter().all(|&r| r < 1.05), "{name}: R̂ = {:?}", s.rhat);
    }
}

/// RWMH's warm-up tunes its scale to the acceptance rate 0.35 (rwmh.rs); on a Gaussian, whatever
/// its correlation, the rate over the kept draws is within ±0.02 of it. (The pooled rate of
/// 16 000 draws has a sampling error under 0.005; the rest is the tuned scale's.) Failed with the
/// former tuning (one Robbins–Monro gain over the whole warm-up, the last iterate kept: ρ = 0.9
/// gave 0.320).
#[test]
fn random_walk_metropolis_hits_its_acceptance_rate() {
    use vi_playground::engine::mcmc::rwmh::TARGET_ACCEPT;
    assert_eq!(TARGET_ACCEPT, 0.35);
    for (rho, seed) in [(0.0, 1), (0.5, 2), (0.9, 3), (0.99, 4), (-0.7, 5)] {
        let s = sample("correlated", rho, SamplerKind::Rwmh, seed);
        assert!((s.accept_rate - 0.35).abs() < 0.02, "ρ = {rho}: acceptance {}", s.accept_rate);
    }
}

fn check_moments(name: &str, param: f64, s: &Summary) {
    let exact = common::target(name, param).exact();
    let (m, c) = (exact.mean.unwrap(), exact.cov.unwrap());
    for k in 0..2 {
        let z = (s.mean[k] - m[k]) / s.mcse_mean[k];
        assert!(z.abs() < 4.0, "{name}: mean[{k}] {} vs exact {} ({z:.1} MCSE)", s.mean[k], m[k]);
        let sd = c[(k, k)].sqrt();
        let z = (s.sd[k] - sd) / s.mcse_sd[k];
        assert!(z.abs() < 4.0, "{name}: sd[{k}] {} vs exact {sd} ({z:.1} MCSE)", s.sd[k]);
    }
}

/// Issue 14.5, science.md ("MCMC reference"): the bias table never cries wolf. A q whose moments
/// are the exact ones, against the default reference over 30 seeds, is flagged (any row, after the
/// reference's own concerns) in under 5 % of runs on every target, at its default and at the
/// hardest end of its parameter (the sharpest banana, the most lopsided bimodal, the most
/// correlated Gaussian). Where the reference raises a concern nothing is flagged; how often that
/// happens is printed (the bimodal target's modes defeat NUTS: every run there says so).
#[test]
fn a_q_with_the_exact_moments_is_rarely_flagged() {
    use vi_playground::engine::bias::bias_panel;
    use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
    for (name, values) in [("banana", [1.0, 2.0]), ("bimodal", [0.5, 0.95]), ("correlated", [0.9, 0.99])] {
        let (mut flagged, mut concerned, mut runs) = (0, 0, 0);
        for value in values {
            let t = common::target(name, value);
            let exact = TargetIntegrals::new(t.as_ref(), Precision::Full).exact(t.as_ref());
            let q = (exact.mean.unwrap(), exact.cov.unwrap());
            for seed in 1..=30 {
                let s = sample(name, value, SamplerKind::Nuts, 500 + seed);
                let panel = bias_panel(&[q], &s, &exact);
                runs += 1;
                flagged += usize::from(panel.rows.iter().any(|r| r.flagged));
                concerned += usize::from(!panel.concerns.is_empty());
            }
        }
        println!("{name}: exact q flagged in {flagged} of {runs} runs; the reference raised a concern in {concerned}");
        assert!((flagged as f64) < 0.05 * runs as f64, "{name}: exact q flagged in {flagged} of {runs} runs");
        if name != "bimodal" {
            // On a unimodal target the default reference is trusted in ≥ 95 % of seeds.
            assert!((concerned as f64) < 0.05 * runs as f64, "{name}: a concern in {concerned} of {runs} runs");
        } else {
            assert!(concerned > runs / 2, "bimodal: NUTS cannot cross between the modes, and should say so");
        }
    }
}

/// Oracle 1 seen through the bias table: mean-field's sds are flagged as too small on
/// `correlated`; the full-rank fit's are not.
#[test]
fn bias_table_flags_mean_field_sd_and_not_full_rank() {
    let s = sample("correlated", 0.9, SamplerKind::Nuts, 7);
    let exact = common::target("correlated", 0.9).exact();
    let mf = common::converge(common::settings("correlated", 0.9, "mean-field", "reverse", 1), 4000);
    let rows = bias_table(&[(mf.mean, mf.cov)], &s, &exact);
    for row in &rows {
        let should_flag = row.quantity.starts_with("sd") || row.quantity == "corr";
        assert_eq!(row.flagged, should_flag, "mean-field {row:?}");
        if row.quantity.starts_with("sd") {
            assert!(row.vi < row.mcmc, "mean-field sd is too small: {row:?}");
            assert!((row.vi - (1.0f64 - 0.81).sqrt()).abs() < 0.01);
        }
    }
    let fr = common::converge(common::settings("correlated", 0.9, "full-rank", "reverse", 2), 4000);
    let rows = bias_table(&[(fr.mean, fr.cov)], &s, &exact);
    assert!(rows.iter().all(|r| !r.flagged), "full-rank flagged: {rows:?}");
}

/// The fit's own jitter widens the band: snapshots spread like a constant-learning-rate iterate
/// are not flagged for a difference their spread explains, and are for one it does not.
#[test]
fn bias_table_counts_the_fits_own_jitter() {
    let s = sample("correlated", 0.9, SamplerKind::Nuts, 7);
    let exact = common::target("correlated", 0.9).exact();
    let cov = |sd: f64| Mat2::new(sd * sd, 0.9 * sd * sd, 0.9 * sd * sd, sd * sd);
    // sd x over five snapshots: mean 1 + 0.07, spread 0.1 (standard error 0.045).
    let sds = [0.97, 1.07, 1.17, 1.02, 1.12];
    let snaps: Vec<_> = sds.iter().map(|&sd| (Vec2::zeros(), cov(sd))).collect();
    let rows = bias_table(&snaps, &s, &exact);
    let sd_x = &rows[2];
    assert_eq!(sd_x.quantity, "sd x");
    assert!((sd_x.vi - 1.07).abs() < 1e-12);
    assert!((sd_x.vi_se - (0.025f64 / 4.0).sqrt() / 5f64.sqrt()).abs() < 1e-12, "{sd_x:?}");
    let alone = bias_table(&[(Vec2::zeros(), cov(1.07))], &s, &exact);
    assert!(alone[2].flagged, "0.07 is more than 3 MCSE on its own: {:?}", alone[2]);
    assert!(!sd_x.flagged, "but not with the fit's jitter: {sd_x:?}");
    let far: Vec<_> = sds.iter().map(|&sd| (Vec2::zeros(), cov(sd + 0.2))).collect();
    assert!(bias_table(&far, &s, &exact)[2].flagged);
}

#[test]
fn bad_mcmc_settings_are_errors() {
    let t = || common::target("banana", 1.0);
    assert!(Mcmc::new(t(), McmcSettings { chains: 0, ..McmcSettings::default() }).is_err());
    assert!(Mcmc::new(t(), McmcSettings { draws: 1, ..McmcSettings::default() }).is_err());
    assert!(SamplerKind::parse("gibbs").unwrap_err().to_string().contains("unknown sampler 'gibbs'"));
}

/// "What VI would get if it could see p": forward KL fitted to the NUTS draws (maximum likelihood)
/// gives mean-field the exact marginals on `correlated` (oracle 2), σᵢ² = 1.
#[test]
fn forward_kl_from_mcmc_draws_matches_the_marginals() {
    use vi_playground::engine::fit::Fit;
    let t = common::target("correlated", 0.9);
    let mut m = Mcmc::new(t, McmcSettings { seed: 8, ..McmcSettings::default() }).unwrap();
    while m.run(500) > 0 {}
    let mut s = common::with_gradient(common::settings("correlated", 0.9, "mean-field", "forward", 3), "draws");
    s.samples = 32;
    let mut fit = common::displaced(Fit::with_draws(s, m.pooled_draws()).unwrap());
    fit.step(4000);
    fit.set_lr(0.005).unwrap();
    fit.step(4000);
    let snap = fit.snapshot();
    for k in 0..2 {
        assert!((snap.cov[(k, k)] - 1.0).abs() < 0.06, "σ² = {} from 8000 NUTS draws", snap.cov[(k, k)]);
        assert!(snap.mean[k].abs() < 0.06, "μ = {} from 8000 NUTS draws", snap.mean[k]);
    }
}

/// Oracle 9, the reference's half (science.md): on every target, at each input across its range
/// (`TargetInfo::sweep`), the default NUTS reference either agrees with the exact moments (ln Z and
/// moments checked independently in `tests/quadrature.rs`) within 3 MCSE on all five of mean x,
/// mean y, sd x, sd y and the correlation, or the page says in words why it cannot be trusted.
/// - Where NUTS is known to work (the unimodal targets in `must_trust`) its own diagnostics
///   (R̂, ESS, divergences, E-BFMI) raise nothing and it is within 3 MCSE.
/// - On the funnel from τ = 1.5 up (the neck's scale out of the step size's reach) and on the
///   bimodal target its diagnostics must say so.
/// - Anywhere else, an estimate more than 3 MCSE off with silent diagnostics is allowed only if
///   the bias panel's comparison with the exact moments says so (chains that all fell into the same
///   mode of the ring agree with each other, so R̂ cannot see it: seed 9 at k = 2 does that).
///
/// Everything is printed; `vi-mcmc --check-defaults --target NAME --seeds N` gives rates over seeds.
#[test]
fn the_reference_agrees_within_3_mcse_or_says_why_not_on_every_target() {
    use vi_playground::engine::bias::bias_panel;
    use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
    use vi_playground::engine::target::TARGETS;
    let must_trust = [
        "correlated",
        "banana b=0",
        "banana b=0.5",
        "banana b=1",
        "donut",
        "funnel tau=0.5",
        "funnel tau=1",
        "squiggle omega=0",
        "squiggle omega=1",
    ];
    let must_doubt = ["funnel tau=1.5", "funnel tau=2.25", "funnel tau=3", "bimodal w=0.5"];
    let (mut trusted, mut doubted, mut caught) = (0, 0, 0);
    for info in TARGETS {
        for (at, inputs) in info.sweep() {
            let case = format!("{} {at}", info.name);
            let t = info.build(&inputs).unwrap();
            let exact = TargetIntegrals::new(t.as_ref(), Precision::Full).exact(t.as_ref());
            let want = vi_playground::engine::bias::quantities(exact.mean.unwrap(), &exact.cov.unwrap());
            let mut mcmc = Mcmc::new(t, McmcSettings { seed: 9, ..McmcSettings::default() }).unwrap();
            while mcmc.run(1000) > 0 {}
            let s = mcmc.summary().unwrap();
            let z: Vec<f64> = s.estimates().iter().zip(want).map(|((v, e), w)| (v - w) / e).collect();
            let worst = z.iter().fold(0.0f64, |a, b| a.max(b.abs()));
            let concerns = s.concerns();
            let page = bias_panel(&[], &s, &exact).concerns;
            let verdict = if concerns.is_empty() { "diagnostics silent" } else { "diagnostics concerned" };
            println!("{case:<22} worst |error|/MCSE {worst:6.2}; {verdict}; the page says: {page:?}");
            let named = |list: &[&str]| list.iter().any(|n| case == *n || case.split(' ').next() == Some(n));
            if named(&must_trust) {
                assert!(concerns.is_empty(), "{case}: NUTS works here, yet the reference says {concerns:?}");
            }
            if named(&must_doubt) {
                assert!(!concerns.is_empty(), "{case}: NUTS cannot be trusted here, and the reference must say so");
            }
            if worst <= 3.0 {
                trusted += usize::from(concerns.is_empty());
            } else {
                assert!(!named(&must_trust), "{case}: {z:?} MCSE off the exact moments");
                assert!(!page.is_empty(), "{case}: {z:?} MCSE off, and the page does not say so");
                caught += usize::from(concerns.is_empty());
            }
            doubted += usize::from(!concerns.is_empty());
        }
    }
    println!(
        "{trusted} cases trusted and within 3 MCSE; {doubted} where the diagnostics say why not; \
         {caught} off by more than 3 MCSE with silent diagnostics, caught by the exact moments"
    );
}
