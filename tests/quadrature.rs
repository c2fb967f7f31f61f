//! The integrator of the exact diagnostics (science.md, "Exact diagnostics"; oracle 9) against
//! independent references computed here: the closed forms of science.md's tables, closed-form KLs
//! between Gaussians and of a Gaussian against the funnel, and brute-force fine grids.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::family::{Family, Gaussian, Structure};
use vi_playground::engine::math::{cholesky2, exp, Mat2, Vec2};
use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
use vi_playground::engine::target::{Funnel, Target, TARGETS};

/// Every target at its ends, its default and between (the funnel from τ = 0.5 to Neal's 3, the
/// integrator's hardest case); a target without inputs once.
fn every_target() -> Vec<(String, Box<dyn Target>)> {
    let all = TARGETS.iter().flat_map(|info| info.sweep().into_iter().map(move |(at, o)| (info, at, o)));
    all.map(|(info, at, o)| (format!("{} {at}", info.name), info.build(&o).unwrap())).collect()
}

/// Those whose ln Z, mean and covariance science.md gives in closed form.
fn targets_with_closed_forms() -> Vec<(String, Box<dyn Target>)> {
    let all = every_target().into_iter().filter(|(_, t)| {
        let e = t.exact();
        e.log_z.is_some() && e.mean.is_some() && e.cov.is_some()
    });
    let all: Vec<_> = all.collect();
    // Every target but the three of Rezende & Mohamed's whose moments only integrals know.
    for name in ["banana", "bimodal", "correlated", "donut", "funnel", "squiggle", "ring", "u2"] {
        assert!(all.iter().any(|(n, _)| n.split(' ').next() == Some(name)), "{name} lost its closed form");
    }
    all
}

/// ln Z to 1e-6 and every entry of the mean and covariance to 1e-5 of p's scale, each within the
/// integrator's own error estimate (plus 1e-6 for the mass the mass box leaves out), against
/// science.md's closed forms. At τ = 3 Var x = e^4.5 ≈ 90, half of it from v > 9.
#[test]
fn log_z_and_moments_of_p_match_the_closed_forms() {
    for (name, target) in targets_with_closed_forms() {
        let exact = target.exact();
        let p = TargetIntegrals::new(target.as_ref(), Precision::Full);
        let (log_z, mean, cov) = (exact.log_z.unwrap(), exact.mean.unwrap(), exact.cov.unwrap());
        let scale = cov[(0, 0)].max(cov[(1, 1)]);
        println!(
            "{name}: ln Z {:+.2e} (± {:.1e}), mean error {:.1e}, cov error {:.1e} of {scale:.3} (estimate {:.1e})",
            p.log_z - log_z,
            p.log_z_error,
            (p.mean - mean).abs().max(),
            (p.cov - cov).abs().max(),
            p.moments_error
        );
        assert!((p.log_z - log_z).abs() < 1e-6, "{name}: ln Z {} vs {log_z}", p.log_z);
        assert!((p.log_z - log_z).abs() <= p.log_z_error + 1e-6, "{name}: ln Z error above its estimate");
        assert!((p.mean - mean).abs().max() < 1e-5 * scale.sqrt(), "{name}: mean {:?} vs {mean:?}", p.mean);
        assert!((p.cov - cov).abs().max() < 1e-5 * scale, "{name}: cov {:?} vs {cov:?}", p.cov);
        assert!((p.cov - cov).abs().max() <= p.moments_error + 1e-6 * scale, "{name}: cov error above its estimate");
    }
}

/// A target with its chart hidden: the integrals over p then refine over the mass box itself.
struct NoChart(Box<dyn Target>);

impl Target for NoChart {
    fn log_density_and_grad(&self, z: Vec2) -> (f64, Vec2) {
        self.0.log_density_and_grad(z)
    }
    fn mass_box(&self) -> vi_playground::engine::target::Box2 {
        self.0.mass_box()
    }
    fn exact(&self) -> vi_playground::engine::target::Exact {
        self.0.exact()
    }
}

/// Without its chart the banana is a thin parabola across a long box (at b = 2, y from −5.5 to
/// 86): the adaptive rule still holds ln Z to 1e-6 and the covariance to 1e-4 of its scale, within
/// its error estimate, as a curved target with no chart (R&M's energies, typed formulas) needs.
#[test]
fn the_integrals_over_p_hold_on_a_curved_target_without_its_chart() {
    for b in [0.5, 1.0, 2.0] {
        let target = NoChart(common::target("banana", b));
        let exact = target.exact();
        let p = TargetIntegrals::new(&target, Precision::Full);
        let cov = exact.cov.unwrap();
        let err = (p.cov - cov).abs().max();
        println!(
            "banana b={b} without chart: ln Z {:+.1e}, cov error {err:.1e} (estimate {:.1e})",
            p.log_z, p.moments_error
        );
        assert!(p.log_z.abs() < 1e-6, "b {b}: ln Z {}", p.log_z);
        assert!(err < 1e-4 * cov[(1, 1)], "b {b}: cov {:?} vs {cov:?}", p.cov);
        assert!(err <= p.moments_error, "b {b}: error above its estimate");
    }
}

/// KL(N₀‖N₁) = ½[tr(Σ₁⁻¹Σ₀) + (μ₁−μ₀)ᵀΣ₁⁻¹(μ₁−μ₀) − 2 + ln(|Σ₁|/|Σ₀|)].
fn kl_gaussians(m0: Vec2, s0: Mat2, m1: Vec2, s1: Mat2) -> f64 {
    let inv = s1.try_inverse().unwrap();
    let d = m1 - m0;
    0.5 * ((inv * s0).trace() + d.dot(&(inv * d)) - 2.0 + (s1.determinant() / s0.determinant()).ln())
}

#[test]
fn kl_against_a_gaussian_target_matches_the_closed_form() {
    let rho: f64 = 0.8;
    let target = common::target("correlated", rho);
    let sp = Mat2::new(1.0, rho, rho, 1.0);
    let p = TargetIntegrals::new(target.as_ref(), Precision::Full);
    for (mean, sq) in
        [(Vec2::new(0.3, -0.2), Mat2::new(0.5, 0.1, 0.1, 0.8)), (Vec2::new(-1.0, 0.5), Mat2::new(1.5, -0.3, -0.3, 0.4))]
    {
        let q = Gaussian::new(Structure::FullRank, mean, &cholesky2(&sq).unwrap());
        let kl = p.kl(target.as_ref(), &q);
        let want_qp = kl_gaussians(mean, sq, Vec2::zeros(), sp);
        let want_pq = kl_gaussians(Vec2::zeros(), sp, mean, sq);
        assert!((kl.kl_qp - want_qp).abs() < 1e-6, "KL(q‖p) {} vs {want_qp}", kl.kl_qp);
        assert!((kl.kl_pq - want_pq).abs() < 1e-6, "KL(p‖q) {} vs {want_pq}", kl.kl_pq);
        assert!((kl.kl_pq - want_pq).abs() <= kl.kl_pq_error + 1e-9, "KL(p‖q) error above its estimate");
        assert!((q.log_q(mean) + (2.0 * std::f64::consts::PI).ln() + 0.5 * sq.determinant().ln()).abs() < 1e-12);
    }
}

/// A Gaussian q against Neal's funnel, both KLs in closed form.
/// - KL(p‖q) = −H(p) − E_p[ln q]: H(p) = H(v) + E_v[H(x | v)] = ln(2πe) + ln τ (E v = 0), and
///   E_p[ln q] = −ln 2π − ½ ln|Σ| − ½ tr(Σ⁻¹(C_p + (m_p − μ)(m_p − μ)ᵀ)) from p's moments.
/// - KL(q‖p) = E_q[ln q] − E_q[ln p̃] with E_q[ln q] = −ln(2πe) − ½ ln|Σ| and
///   E_q[x² e^(−v)] = e^(−μ_v + Σ_vv/2) ((μ_x − Σ_xv)² + Σ_xx) (under the tilt e^(−v), x's mean
///   moves by −Σ_xv).
#[test]
fn kl_of_a_gaussian_against_the_funnel_matches_the_closed_forms() {
    let ln2pi = (2.0 * std::f64::consts::PI).ln();
    for tau in [0.5, 1.5, 3.0] {
        let target = Funnel::new(tau);
        let p = TargetIntegrals::new(&target, Precision::Full);
        let cp = target.exact().cov.unwrap();
        for (mu, s) in [
            (Vec2::new(0.0, 0.0), Mat2::new(1.0, 0.0, 0.0, tau * tau)),
            (Vec2::new(0.3, -1.5), Mat2::new(0.3, 0.2, 0.2, 1.2)),
            (Vec2::new(-1.0, 2.0), Mat2::new(4.0, -0.5, -0.5, 0.8)),
        ] {
            let q = Gaussian::new(Structure::FullRank, mu, &cholesky2(&s).unwrap());
            let inv = s.try_inverse().unwrap();
            let h_p = ln2pi + 1.0 + tau.ln();
            let e_p_ln_q = -ln2pi - 0.5 * s.determinant().ln() - 0.5 * (inv * (cp + mu * mu.transpose())).trace();
            let want_pq = -h_p - e_p_ln_q;
            let e_q_ln_q = -ln2pi - 1.0 - 0.5 * s.determinant().ln();
            let (mx, mv, sxx, sxv, svv) = (mu[0], mu[1], s[(0, 0)], s[(0, 1)], s[(1, 1)]);
            let tilt = exp(-mv + 0.5 * svv) * ((mx - sxv).powi(2) + sxx);
            let e_q_ln_p = -(svv + mv * mv) / (2.0 * tau * tau) - ln2pi - tau.ln() - 0.5 * mv - 0.5 * tilt;
            let want_qp = e_q_ln_q - e_q_ln_p;
            let kl = p.kl(&target, &q);
            println!(
                "funnel tau={tau}, q {mu:?}: KL(q‖p) {:.6} ± {:.1e} vs {want_qp:.6}; KL(p‖q) {:.6} ± {:.1e} vs {want_pq:.6}",
                kl.kl_qp, kl.kl_qp_error, kl.kl_pq, kl.kl_pq_error
            );
            assert!((kl.kl_qp - want_qp).abs() < 1e-4 * (1.0 + want_qp), "τ {tau}: KL(q‖p) {} vs {want_qp}", kl.kl_qp);
            assert!((kl.kl_pq - want_pq).abs() < 1e-4 * (1.0 + want_pq), "τ {tau}: KL(p‖q) {} vs {want_pq}", kl.kl_pq);
        }
    }
}

/// KL(q‖p), q's mean and KL(p‖q) by brute force: midpoint grids of n² cells over a `half`-wide
/// square around the origin, holding q's and p's mass. ln Z = 0 for every current target.
fn brute_force(q: &dyn Family, target: &dyn Target, n: usize, half: f64) -> (f64, Vec2, f64) {
    let d = 2.0 * half / n as f64;
    let (mut kl, mut mean, mut kl_pq) = (0.0, Vec2::zeros(), 0.0);
    for i in 0..n {
        for j in 0..n {
            let z = Vec2::new(-half + (i as f64 + 0.5) * d, -half + (j as f64 + 0.5) * d);
            let (lq, lp) = (q.log_q(z), target.log_density(z));
            if lq > -50.0 {
                let w = exp(lq) * d * d;
                kl += w * (lq - lp);
                mean += z * w;
            }
            if lp > -50.0 {
                kl_pq += exp(lp) * d * d * (lp - lq);
            }
        }
    }
    (kl, mean, kl_pq)
}

/// science.md ("Exact diagnostics"): Gauss–Hermite in ε was exact only for `correlated` and
/// `banana`. On `bimodal` a moment-matched mean-field q had KL(q‖p) 3.6056 by 32² Gauss–Hermite
/// against 3.5822 by a fine grid; a flow fitted by forward KL had KL(q‖p) 0.0135 against 0.0220 and a
/// mean of 0.023 against 0.088. The adaptive cubature now agrees with a brute-force grid to 1e-4,
/// within its own error estimate, at the tests' budget; at the page's it is printed.
#[test]
fn kl_and_moments_of_q_hold_on_the_bimodal_target() {
    let target = common::target("bimodal", 0.5);
    let p = TargetIntegrals::new(target.as_ref(), Precision::Full);
    // Moment-matched mean-field: variance s² + w(1 − w)(2a)² = 0.36 + 2.25.
    let sd = 2.61f64.sqrt();
    let q = Gaussian::new(Structure::MeanField, Vec2::zeros(), &Mat2::new(sd, 0.0, 0.0, sd));
    let (kl, err) = p.kl_qp_with_error(target.as_ref(), &q);
    let (want, _, want_pq) = brute_force(&q, target.as_ref(), 2000, 12.0);
    let (kl_pq, err_pq) = p.kl_pq_with_error(target.as_ref(), &q);
    println!("bimodal, mean-field: KL(q‖p) {kl:.6} ± {err:.1e}, brute force {want:.6}; KL(p‖q) {kl_pq:.6} ± {err_pq:.1e} vs {want_pq:.6}");
    assert!((want - 3.5822).abs() < 1e-4, "the reference itself: {want}");
    assert!((kl - want).abs() < 1e-4 && (kl - want).abs() <= err + 1e-6, "{kl} ± {err} vs {want}");
    assert!((kl_pq - want_pq).abs() < 1e-5, "KL(p‖q) {kl_pq} ± {err_pq} vs {want_pq}");

    // A flow fitted by forward KL (it spans both modes: far from Gaussian in ε).
    let s = vi_playground::engine::fit::Settings { lr: 0.01, ..common::settings("bimodal", 0.5, "flow", "forward", 2) };
    let s = vi_playground::engine::fit::Settings { samples: 8, schedule: Default::default(), ..s };
    let mut fit = vi_playground::engine::fit::Fit::new(s).unwrap();
    fit.step(3000);
    let flow = fit.family();
    let (kl, err) = p.kl_qp_with_error(target.as_ref(), flow);
    let (kl_pq, err_pq) = p.kl_pq_with_error(target.as_ref(), flow);
    let (want, want_mean, want_pq) = brute_force(flow, target.as_ref(), 1500, 10.0);
    let (mean, _) = flow.moments();
    let page = TargetIntegrals::new(target.as_ref(), Precision::Page);
    let (kl_page, err_page) = page.kl_qp_with_error(target.as_ref(), flow);
    let (pq_page, pq_err_page) = page.kl_pq_with_error(target.as_ref(), flow);
    println!(
        "bimodal, forward-KL flow: KL(q‖p) {kl:.6} ± {err:.1e} (page budget {kl_page:.6} ± {err_page:.1e}), brute force {want:.6}; \
         KL(p‖q) {kl_pq:.6} ± {err_pq:.1e} (page {pq_page:.6} ± {pq_err_page:.1e}), brute force {want_pq:.6}; mean {mean:?} vs {want_mean:?}"
    );
    assert!((kl - want).abs() < 1e-4, "{kl} ± {err} vs {want}");
    assert!((kl_pq - want_pq).abs() < 1e-4, "KL(p‖q) {kl_pq} ± {err_pq} vs {want_pq}");
    assert!((mean - want_mean).norm() < 1e-4, "{mean:?} vs {want_mean:?}");
    assert!((kl_page - want).abs() < 1e-3, "the page's budget: {kl_page} vs {want}");
    assert!((pq_page - want_pq).abs() < 1e-3, "the page's budget: {pq_page} vs {want_pq}");
}

/// Composite Simpson's rule of f over [a, b] with n (even) panels.
fn simpson(a: f64, b: f64, n: usize, f: impl Fn(f64) -> f64) -> f64 {
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n).map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 }).sum();
    (f(a) + inner + f(b)) * h / 3.0
}

/// science.md's donut row by its own 1-D integral in ρ = ‖z‖ (Z = 2π ∫ ρ p̃ dρ, E‖z‖² = 2π ∫ ρ³ p̃
/// dρ / Z), not through the closed form in `donut.rs`: the two agree to 1e-9 across r's range, so
/// the closed form the integrator is checked against above is itself right.
#[test]
fn the_donut_closed_form_matches_a_radial_integral() {
    let sigma = 0.3;
    for r in [0.5, 0.75, 1.0, 2.0, 3.0] {
        let t = common::target("donut", r);
        let e = t.exact();
        let ridge = |rho: f64| (-0.5 * ((rho - r) / sigma).powi(2)).exp();
        let tau = 2.0 * std::f64::consts::PI;
        let z = tau * simpson(0.0, r + 12.0 * sigma, 20_000, |rho| rho * ridge(rho));
        let second = tau * simpson(0.0, r + 12.0 * sigma, 20_000, |rho| rho.powi(3) * ridge(rho)) / z;
        let (log_z, var) = (e.log_z.unwrap(), e.cov.unwrap()[(0, 0)]);
        println!("donut r={r}: ln Z {log_z:.9} vs {:.9}; Var x {var:.9} vs {:.9}", z.ln(), 0.5 * second);
        assert!((log_z - z.ln()).abs() < 1e-9, "r {r}: ln Z {log_z} vs {}", z.ln());
        assert!((var - 0.5 * second).abs() < 1e-9, "r {r}: Var x {var} vs {}", 0.5 * second);
        assert_eq!(e.cov.unwrap()[(0, 1)], 0.0);
    }
}

/// ln Z, mean and covariance of p̃ on a target, by the engine's integrator.
fn engine_moments(name: &str) -> (f64, Vec2, Mat2, f64) {
    let t = vi_playground::engine::target::find(name).unwrap().build_default();
    let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
    (p.log_z, p.mean, p.cov, p.moments_error)
}

/// Oracle 9 for U3 and U4 (Rezende & Mohamed with science.md's envelope N(x; 0, 2²)): p̃ is
/// e^(−x²/8) times two unnormalised Gaussians in y, with centres cₖ(x) and sds sₖ, so y
/// integrates out in closed form (∫ e^(−½((y−c)/s)²) dy = s√(2π), first moment c·s√(2π), second
/// (s² + c²)·s√(2π)) and ln Z and every moment is a 1-D integral in x, taken here by Simpson's rule
/// from science.md's definitions, not from the engine's code. U2 has a closed form, checked above.
#[test]
fn rezende_mohamed_u3_and_u4_match_one_dimensional_integrals() {
    let pi = std::f64::consts::PI;
    let w1 = move |x: f64| (pi * x / 2.0).sin();
    let w2 = |x: f64| 3.0 * (-0.5 * ((x - 1.0) / 0.6f64).powi(2)).exp();
    let w3 = |x: f64| 3.0 / (1.0 + (-(x - 1.0) / 0.3).exp());
    type Terms = Box<dyn Fn(f64) -> [(f64, f64); 2]>;
    let cases: [(&str, Terms); 2] = [
        ("u3", Box::new(move |x| [(w1(x), 0.35), (w1(x) - w2(x), 0.35)])),
        ("u4", Box::new(move |x| [(w1(x), 0.4), (w1(x) - w3(x), 0.35)])),
    ];
    for (name, terms) in cases {
        let root = (2.0 * pi).sqrt();
        // ∫ e^(−x²/8) xᵃ Σₖ sₖ√(2π) g(cₖ, sₖ) dx for the y-moment g.
        let integral = |a: i32, g: &dyn Fn(f64, f64) -> f64| {
            simpson(-20.0, 20.0, 40_000, |x| {
                let env = (-x * x / 8.0).exp() * x.powi(a);
                env * terms(x).iter().map(|&(c, s)| s * root * g(c, s)).sum::<f64>()
            })
        };
        let z = integral(0, &|_, _| 1.0);
        let ex = integral(1, &|_, _| 1.0) / z;
        let ey = integral(0, &|c, _| c) / z;
        let exx = integral(2, &|_, _| 1.0) / z;
        let eyy = integral(0, &|c, s| s * s + c * c) / z;
        let exy = integral(1, &|c, _| c) / z;
        let want_cov = Mat2::new(exx - ex * ex, exy - ex * ey, exy - ex * ey, eyy - ey * ey);
        let (log_z, mean, cov, err) = engine_moments(name);
        println!(
            "{name}: ln Z {log_z:.8} vs {:.8}; mean {:.2e} off; cov {:.2e} off (estimate {err:.1e})",
            z.ln(),
            (mean - Vec2::new(ex, ey)).abs().max(),
            (cov - want_cov).abs().max()
        );
        let exact = vi_playground::engine::target::find(name).unwrap().build_default().exact();
        assert!((exact.log_z.unwrap() - z.ln()).abs() < 1e-9, "{name}: closed-form ln Z");
        assert!((log_z - z.ln()).abs() < 1e-6, "{name}: ln Z {log_z} vs {}", z.ln());
        assert!((mean - Vec2::new(ex, ey)).abs().max() < 1e-5, "{name}: mean {mean:?} vs ({ex}, {ey})");
        assert!((cov - want_cov).abs().max() < 1e-5 * want_cov.abs().max(), "{name}: cov {cov:?} vs {want_cov:?}");
    }
}

/// Oracle 9 for U1 (no closed form, no factorisation): a brute-force midpoint grid of 3000² cells
/// over [−5, 5]² (outside, ‖z‖ − 2 > 7.5 sd of the ring), from science.md's energy, not the
/// engine's code. Its error is O(h²) on a smooth integrand: about 1e-7 here.
#[test]
fn rezende_mohamed_u1_matches_a_fine_grid() {
    let u1 = |x: f64, y: f64| {
        let r = (x * x + y * y).sqrt();
        let bumps = (-0.5 * ((x - 2.0) / 0.6f64).powi(2)).exp() + (-0.5 * ((x + 2.0) / 0.6f64).powi(2)).exp();
        0.5 * ((r - 2.0) / 0.4f64).powi(2) - bumps.ln()
    };
    let (n, half) = (3000, 5.0);
    let d = 2.0 * half / n as f64;
    let (mut z, mut m, mut s) = (0.0, Vec2::zeros(), Mat2::zeros());
    for i in 0..n {
        for j in 0..n {
            let p = Vec2::new(-half + (i as f64 + 0.5) * d, -half + (j as f64 + 0.5) * d);
            let w = (-u1(p[0], p[1])).exp() * d * d;
            z += w;
            m += p * w;
            s += p * p.transpose() * w;
        }
    }
    let mean = m / z;
    let cov = s / z - mean * mean.transpose();
    let (log_z, got_mean, got_cov, err) = engine_moments("u1");
    println!(
        "u1: ln Z {log_z:.8} vs {:.8}; mean {:.2e} off; cov {:.2e} off (estimate {err:.1e})",
        z.ln(),
        (got_mean - mean).abs().max(),
        (got_cov - cov).abs().max()
    );
    assert!((log_z - z.ln()).abs() < 1e-5, "u1: ln Z {log_z} vs {}", z.ln());
    assert!((got_mean - mean).abs().max() < 1e-5, "u1: mean {got_mean:?} vs {mean:?}");
    assert!((got_cov - cov).abs().max() < 1e-5 * cov.abs().max(), "u1: cov {got_cov:?} vs {cov:?}");
}

/// science.md's logistic row, written here from its definition (not the engine's code).
fn logistic_log_density(data: &[[f64; 2]], a: f64, b: f64) -> f64 {
    let v = 2.5f64 * 2.5;
    let ell = |t: f64| -(1.0 + (-t).exp()).ln();
    let prior = -(a * a + b * b) / (2.0 * v) - (2.0 * std::f64::consts::PI * v).ln();
    prior + data.iter().map(|&[x, y]| y * ell(a + b * x) + (1.0 - y) * ell(-a - b * x)).sum::<f64>()
}

/// Oracle 9 for `logistic`: ln Z and p's moments by the engine's integrator (in its Laplace chart)
/// against an independent brute-force grid: a coarse 400² sweep of the prior's ±17.5 finds where
/// ln p̃ lies within 40 of its top, and a 1000² midpoint grid over that region (plus a margin)
/// integrates (its error, O(h²), about 1e-7 of the scale). Data: none (the prior: closed form), the default set (skewed, correlated), 200
/// points drawn from σ(0.5 + 1.5x) (narrow), and separable data (the slope runs off to the prior's
/// tail).
#[test]
fn logistic_posteriors_match_a_brute_force_grid() {
    use vi_playground::engine::settings::{Options, Value};
    let info = vi_playground::engine::target::find("logistic").unwrap();
    let mut lcg = 12345u64;
    let mut uniform = move || {
        lcg = lcg.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (lcg >> 11) as f64 / (1u64 << 53) as f64
    };
    let drawn: Vec<[f64; 2]> = (0..200)
        .map(|_| {
            let x = -3.0 + 6.0 * uniform();
            [(x * 100.0f64).round() / 100.0, f64::from(uniform() < 1.0 / (1.0 + (-(0.5 + 1.5 * x)).exp()))]
        })
        .collect();
    let separable = vec![[-2.0, 0.0], [-1.0, 0.0], [-0.5, 0.0], [0.5, 1.0], [1.5, 1.0]];
    let default = info.inputs[0].default().points().to_vec();
    for (name, data) in [("no data", vec![]), ("default", default), ("200 drawn", drawn), ("separable", separable)] {
        let mut o = Options::default();
        o.set(&info.inputs[0], Value::Points(data.clone()));
        let t = info.build(&o).unwrap();
        // Where the mass is.
        let (mut top, mut lo, mut hi) =
            (f64::NEG_INFINITY, Vec2::repeat(f64::INFINITY), Vec2::repeat(f64::NEG_INFINITY));
        let coarse = |i: usize| -17.5 + 35.0 * (i as f64 + 0.5) / 400.0;
        let mut sweep = Vec::new();
        for i in 0..400 {
            for j in 0..400 {
                let lp = logistic_log_density(&data, coarse(i), coarse(j));
                top = top.max(lp);
                sweep.push((Vec2::new(coarse(i), coarse(j)), lp));
            }
        }
        for (z, lp) in sweep {
            if lp > top - 40.0 {
                lo = lo.inf(&z);
                hi = hi.sup(&z);
            }
        }
        let margin = Vec2::repeat(35.0 / 400.0 * 2.0);
        let (lo, hi) = (lo - margin, hi + margin);
        let n = 1000;
        let d = (hi - lo) / n as f64;
        let (mut z, mut m, mut s) = (0.0, Vec2::zeros(), Mat2::zeros());
        for i in 0..n {
            for j in 0..n {
                let p = Vec2::new(lo[0] + (i as f64 + 0.5) * d[0], lo[1] + (j as f64 + 0.5) * d[1]);
                let w = (logistic_log_density(&data, p[0], p[1]) - top).exp();
                z += w;
                m += p * w;
                s += p * p.transpose() * w;
            }
        }
        let mean = m / z;
        let cov = s / z - mean * mean.transpose();
        let log_z = (z * d[0] * d[1]).ln() + top;
        let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
        let scale = cov[(0, 0)].max(cov[(1, 1)]);
        println!(
            "logistic, {name}: ln Z {:.8} vs {log_z:.8}; mean {:?} vs {mean:?}; corr {:.3}; cov error {:.1e} of {scale:.3}",
            p.log_z,
            p.mean,
            cov[(0, 1)] / (cov[(0, 0)] * cov[(1, 1)]).sqrt(),
            (p.cov - cov).abs().max()
        );
        assert!((p.log_z - log_z).abs() < 1e-5, "{name}: ln Z {} vs {log_z}", p.log_z);
        assert!((p.mean - mean).abs().max() < 1e-5 * scale.sqrt(), "{name}: mean {:?} vs {mean:?}", p.mean);
        assert!((p.cov - cov).abs().max() < 1e-4 * scale, "{name}: cov {:?} vs {cov:?}", p.cov);
    }
}
