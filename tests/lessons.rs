//! Each guided lesson says what the student will see; these run the lesson's own link natively
//! (the page gives the same numbers, bit for bit) and check that it is so.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use vi_playground::engine::family::{Gaussian, Structure};
use vi_playground::engine::fit::{Fit, Status};
use vi_playground::engine::math::{cholesky2, Mat2, Vec2};
use vi_playground::engine::quadrature::{Precision, TargetIntegrals};
use vi_playground::explain::LESSONS;
use vi_playground::link::{parse, PageState};

fn lesson(id: &str) -> PageState {
    let l = LESSONS.iter().find(|l| l.id == id).unwrap_or_else(|| panic!("no lesson {id}"));
    let parsed = parse(l.query);
    assert!(parsed.ignored.is_empty());
    parsed.state
}

/// Fit A (and B, in the side-by-side view) after `steps` steps.
fn run(state: &PageState, steps: u64) -> (Fit, Option<Fit>) {
    let mut a = Fit::new(state.controls.settings.clone()).unwrap();
    a.step(steps);
    let b = state.compare.then(|| {
        let mut b = Fit::new(state.second.controls(&state.controls).settings).unwrap();
        b.step(steps);
        b
    });
    (a, b)
}

/// q's variances averaged over 2000 more steps: the last iterate jitters about the optimum at
/// lr 0.05 (±20 % here), so the page's bias table averages too.
fn variances(f: &mut Fit) -> (f64, f64) {
    let (mut vx, mut vy) = (0.0, 0.0);
    for _ in 0..200 {
        f.step(10);
        let (_, cov) = f.family().moments();
        vx += cov[(0, 0)] / 200.0;
        vy += cov[(1, 1)] / 200.0;
    }
    (vx, vy)
}

/// The best Gaussian on the banana (σ = 0.5), in closed form. By the x → −x symmetry its
/// correlation is 0 (science.md, oracle 6); for q = N((0, m), diag(s², t²)) and Z = 1,
/// KL(q‖p) = −ln s − ln t − 1 + s²/2 + [t² + (m − b(s² − 1))² + 2b²s⁴]/(2σ²) + ln σ,
/// using E[(x² − 1)] = s² − 1 and Var(x²) = 2s⁴. So m = b(s² − 1), t = σ, and s² solves
/// 4(b²/σ²)s⁴ + s² − 1 = 0 (d/ds of −ln s + s²/2 + b²s⁴/σ²); b = 1 gives 0.5606.
fn best_gaussian_kl_on_banana(b: f64) -> f64 {
    let c = b * b / 0.25;
    let s2 = if c == 0.0 { 1.0 } else { (-1.0 + (1.0 + 16.0 * c).sqrt()) / (8.0 * c) };
    -0.5 * s2.ln() + 0.5 * s2 + c * s2 * s2 - 0.5
}

/// The broad local optimum of reverse KL on `bimodal` (w = 0.5) among Gaussians centred between
/// the modes, q = N(0, [[v, c], [c, v]]): KL(q‖p) by the engine's cubature (not the optimizer),
/// minimised over (ln v, c/v) by coordinate golden-section search.
fn broad_optimum_on_bimodal() -> (f64, Mat2) {
    let t = common::target("bimodal", 0.5);
    let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
    let kl = |lv: f64, r: f64| {
        let v = lv.exp();
        let cov = Mat2::new(v, r * v, r * v, v);
        let q = Gaussian::new(Structure::FullRank, Vec2::zeros(), &cholesky2(&cov).unwrap());
        p.kl_qp(t.as_ref(), &q)
    };
    let golden = |f: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64| {
        let g = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..60 {
            let (x1, x2) = (b - g * (b - a), a + g * (b - a));
            if f(x1) < f(x2) {
                b = x2
            } else {
                a = x1
            }
        }
        0.5 * (a + b)
    };
    let (mut lv, mut r) = (0.5, 0.5);
    for _ in 0..8 {
        lv = golden(&|x| kl(x, r), -1.0, 2.5);
        r = golden(&|x| kl(lv, x), 0.0, 0.98);
    }
    let v = lv.exp();
    (kl(lv, r), Mat2::new(v, r * v, r * v, v))
}

#[test]
fn overconfident_mean_field_has_variance_one_minus_rho_squared() {
    let (mut a, _) = run(&lesson("overconfident"), 3000);
    let (vx, vy) = variances(&mut a);
    assert!((vx - 0.19).abs() < 0.03 && (vy - 0.19).abs() < 0.03, "{vx} {vy}");
}

#[test]
fn prml_10_2_reverse_is_too_narrow_and_forward_matches_the_marginals() {
    let state = lesson("prml-10-2");
    let (mut a, _) = run(&state, 3000);
    let (ax, _) = variances(&mut a);
    // B's forward fit would start at N(0, I), which is already its optimum (PRML eq. 10.17: the
    // exact marginals): start it displaced and narrow, as a student's drag would, so a zero or
    // wrong gradient cannot pass.
    let mut b = Fit::new(state.second.controls(&state.controls).settings).unwrap();
    b.set_gaussian(Vec2::new(1.2, -0.8), &Mat2::new(0.3, 0.0, 0.0, 0.4)).unwrap();
    b.step(3000);
    let (bx, by) = variances(&mut b);
    let (mean, _) = b.family().moments();
    println!("reverse {ax:.4}; forward {bx:.4} {by:.4}, mean {mean:?}");
    // Within 0.03: the averaged q's jitter is below 0.01 here, and defensive importance sampling
    // with the lesson's S is biased towards a narrow q by about 1 % (divergence.rs).
    assert!((ax - 0.19).abs() < 0.03, "reverse: {ax}");
    assert!((bx - 1.0).abs() < 0.03 && (by - 1.0).abs() < 0.03, "forward: {bx} {by}");
    assert!(mean.norm() < 0.05, "forward mean {mean:?}");
}

#[test]
fn modes_reverse_picks_one_forward_covers_both() {
    let state = lesson("modes");
    let (a, b) = run(&state, 5000);
    let (da, db) = (a.diagnostics().kl, b.unwrap().diagnostics().kl);
    assert!((da.kl_qp - std::f64::consts::LN_2).abs() < 0.05, "reverse sits on a mode: {}", da.kl_qp);
    assert!(db.kl_pq < da.kl_pq && db.kl_qp > da.kl_qp, "each wins its own divergence: {da:?} {db:?}");
    // The lesson's aside: seed 5 stops at the broad local optimum between the modes.
    let mut s5 = state.controls.settings.clone();
    s5.seed = 5;
    let mut f = Fit::new(s5).unwrap();
    f.step(5000);
    let kl = f.diagnostics().kl.kl_qp;
    let (want, cov) = broad_optimum_on_bimodal();
    let (mean, got) = f.family().moments();
    println!("seed 5: KL(q‖p) {kl:.4}, mean {mean:?}, cov {got:?}; the broad optimum {want:.4} at {cov:?}");
    // The lesson pins a constant learning rate, whose iterate jitters above the optimum (here by
    // 0.04 nats, its mean 0.1 off the centre; the modes are at ±1.5). With the decaying schedule
    // the same start settles on the broad optimum itself, to 0.005 nats.
    assert!(kl >= want - 1e-4 && kl < want + 0.06, "seed 5: {kl} against the broad optimum {want}");
    assert!(mean.norm() < 0.2, "seed 5 sits between the modes: {mean:?}");
    let mut settled = state.controls.settings.clone();
    settled.seed = 5;
    settled.schedule = vi_playground::engine::optim::Schedule::Decay;
    let mut f = Fit::new(settled).unwrap();
    f.step(20_000);
    let kl = f.diagnostics().kl.kl_qp;
    println!("seed 5, decaying schedule: KL(q‖p) {kl:.4}");
    assert!(kl >= want - 1e-4 && kl < want + 0.005, "seed 5 settled at {kl}, the broad optimum {want}");
}

#[test]
fn full_rank_fits_the_correlated_gaussian_mean_field_cannot() {
    let (a, b) = run(&lesson("full-rank"), 5000);
    let (ka, kb) = (a.diagnostics().kl.kl_qp, b.unwrap().diagnostics().kl.kl_qp);
    assert!(kb < 0.02, "full-rank: {kb}");
    assert!(ka > 0.8297 && ka < 0.95, "mean-field: {ka}");
}

#[test]
fn a_flow_gets_much_closer_to_the_banana_than_a_gaussian() {
    let state = lesson("flow");
    let (flow, _) = run(&state, 10_000);
    let mut gaussian = state.clone();
    gaussian.controls = state.controls.with_family("full-rank");
    let (g, _) = run(&gaussian, 5000);
    let (kf, kg) = (flow.diagnostics().kl.kl_qp, g.diagnostics().kl.kl_qp);
    let best = best_gaussian_kl_on_banana(1.0);
    println!("flow {kf:.4}, full-rank {kg:.4}, the best Gaussian {best:.4}");
    assert!(kf < 0.15, "flow: {kf}");
    // The lesson's "about 0.6 nats": the full-rank fit at the best Gaussian, 0.5606, within
    // 0.01 (it is averaged by the default schedule) and never below it.
    assert!((best - 0.5606).abs() < 1e-4, "{best}");
    assert!(kg >= best - 1e-4 && kg < best + 0.01, "a Gaussian stops {best:.3} nats short: {kg}");
}

#[test]
fn the_high_learning_rate_diverges_and_keeps_the_last_good_q() {
    let (a, _) = run(&lesson("diverge"), 3000);
    assert!(matches!(a.status(), Status::Diverged { .. }), "{:?}", a.status());
    assert!(a.family().params().iter().all(|p| p.is_finite()));
}

/// The lesson's way back, the page's "÷10" button: by the time a non-finite value appears, q has
/// collapsed (its widths underflow), so no learning rate goes on from there; starting again with
/// a tenth of the learning rate survives but still collapses, and a hundredth fits.
#[test]
fn after_diverging_a_lower_learning_rate_from_the_start_fits() {
    let state = lesson("diverge");
    let (mut a, _) = run(&state, 3000);
    for lr in [5.0, 0.5, 0.05] {
        a.set_lr(lr).unwrap();
        assert_eq!(a.step(100), 0, "at lr {lr} the collapsed q diverges at once");
    }
    let fit_at = |lr: f64| {
        let mut s = state.clone();
        s.controls.settings.lr = lr;
        run(&s, 3000).0
    };
    // A tenth: it runs, but q collapses to a sliver far from p.
    let tenth = fit_at(5.0);
    let (_, cov) = tenth.family().moments();
    assert!(matches!(tenth.status(), Status::Running));
    assert!(cov.trace() < 1e-3 && tenth.progress().1 < -50.0, "lr 5: cov {cov:?}, ELBO {}", tenth.progress().1);
    // A hundredth fits, jittering above the optimum that the default 0.05 reaches.
    let kl = |lr: f64| fit_at(lr).diagnostics().kl.kl_qp;
    let (k1, k2) = (kl(0.5), kl(0.05));
    println!("KL(q‖p): lr 0.5 {k1}, lr 0.05 {k2}");
    let best = best_gaussian_kl_on_banana(1.0);
    // At a constant rate the iterate jitters above the best Gaussian: lr 0.05 within 0.05 of it,
    // lr 0.5 far above.
    assert!(k2 >= best - 1e-4 && k2 < best + 0.05, "lr 0.05: {k2} against the best Gaussian {best}");
    assert!(k1 < 2.0 && k1 > k2 + 0.2, "lr 0.5: {k1}, lr 0.05: {k2}");
}

/// The gallery (issue 16): every preset's link opens cleanly and its fits run; the numbers its
/// words promise hold.
#[test]
fn every_gallery_preset_opens_and_runs() {
    use vi_playground::explain::GALLERY;
    for g in GALLERY {
        let parsed = parse(g.query);
        assert!(parsed.ignored.is_empty(), "{}: {:?}", g.id, parsed.ignored);
        let (a, b) = run(&parsed.state, 1500);
        for f in std::iter::once(&a).chain(b.as_ref()) {
            assert_eq!(f.status(), &Status::Running, "{}", g.id);
            assert!(f.diagnostics().kl.kl_qp.is_finite(), "{}", g.id);
        }
    }
}

/// "A (reverse KL) settles on one stretch of the ring, two neighbouring modes and the gap between
/// them: KL(q‖p) about 1.94, a little below the ln 8 = 2.08 of sitting on one mode. B (forward KL)
/// becomes a wide round Gaussian over the whole ring: its sd is √(0.35² + 2.5²/2) = 1.80."
/// (Written first as "one mode, ln 8": the fit found the two-mode stretch better, at 1.93–1.95
/// over seeds 1–4, and the words were corrected.)
#[test]
fn the_ring_preset_shows_one_stretch_against_the_whole_ring() {
    use vi_playground::explain::GALLERY;
    let g = GALLERY.iter().find(|g| g.id == "ring").unwrap();
    let (a, b) = run(&parse(g.query).state, 12_000);
    let kl = a.diagnostics().kl.kl_qp;
    assert!((kl - 1.94).abs() < 0.03 && kl < 8f64.ln(), "reverse KL {kl}");
    let (mean, _) = a.family().moments();
    assert!(mean.norm() > 1.5, "on the ring, not its centre: {mean:?}");
    let (_, cov) = b.unwrap().family().moments();
    let sd = (0.35f64.powi(2) + 2.5f64.powi(2) / 2.0).sqrt();
    for k in 0..2 {
        assert!((cov[(k, k)].sqrt() - sd).abs() < 0.05 * sd, "forward sd {} vs {sd}", cov[(k, k)].sqrt());
    }
}

/// "A (six Gaussians) puts one component on each mode of the ring, weight ⅙ each, and KL(q‖p)
/// falls below 0.01; B (one Gaussian) can only take one stretch of it."
#[test]
fn the_mixture_preset_covers_every_mode() {
    use vi_playground::explain::GALLERY;
    let g = GALLERY.iter().find(|g| g.id == "mixture-ring").unwrap();
    let (a, b) = run(&parse(g.query).state, 8000);
    let kl = a.diagnostics().kl.kl_qp;
    assert!(kl < 0.01, "the mixture's KL(q‖p) {kl}");
    let comps = a.family().components().expect("a mixture");
    for j in 0..6 {
        let t = std::f64::consts::PI * j as f64 / 3.0;
        let mode = vi_playground::engine::Vec2::new(2.5 * t.cos(), 2.5 * t.sin());
        let near: Vec<_> = comps.iter().filter(|c| (c.0 - mode).norm() < 0.3).collect();
        assert_eq!(near.len(), 1, "mode {j}: {comps:?}");
        assert!((near[0].2 - 1.0 / 6.0).abs() < 0.02, "mode {j}'s weight {}", near[0].2);
    }
    let b = b.unwrap().diagnostics().kl.kl_qp;
    assert!(b > 1.0, "one Gaussian on a ring of six: KL(q‖p) {b}");
}

/// "A minimises CUBO₂ (α = −1) and spans both modes, wider than p; B maximises the ELBO and sits
/// on one. The CUBO₂ stays above ln Z and the ELBO below."
#[test]
fn the_renyi_preset_spans_both_modes_inside_the_sandwich() {
    use vi_playground::explain::GALLERY;
    let g = GALLERY.iter().find(|g| g.id == "renyi-dial").unwrap();
    let (a, b) = run(&parse(g.query).state, 8000);
    let (mean, cov) = a.family().moments();
    assert!(mean.norm() < 0.3 && cov[(0, 0)] > 2.61 && cov[(1, 1)] > 2.61, "A: {mean:?}, {cov:?} (p's variance 2.61)");
    let d = a.diagnostics();
    let s = d.sandwich;
    assert!(s.cubo2.is_finite() && s.cubo2 > d.log_z && s.cubo2_estimate.value > d.log_z, "{s:?}");
    assert!(s.elbo_estimate.value < d.log_z, "{s:?}");
    let (mean_b, _) = b.unwrap().family().moments();
    assert!((mean_b.norm() - 1.5 * 2f64.sqrt()).abs() < 0.2, "B on one mode: {mean_b:?}");
}

/// "B maximises the ELBO; A maximises L_64, close to ln Z, so A's q spreads wider. L_K above B's
/// ELBO, both below ln Z."
#[test]
fn the_iwae_preset_has_the_tighter_bound_and_the_wider_q() {
    use vi_playground::explain::GALLERY;
    let g = GALLERY.iter().find(|g| g.id == "iwae").unwrap();
    let (a, b) = run(&parse(g.query).state, 8000);
    let b = b.unwrap();
    let (da, db) = (a.diagnostics(), b.diagnostics());
    let (k, lk) = da.sandwich.iwae_bound.expect("IWAE's L_K");
    let elbo = db.sandwich.elbo_estimate;
    println!("L_{k} {lk:?}, B's ELBO {elbo:?}, ln Z {}", da.log_z);
    assert_eq!(k, 64);
    assert!(lk.value > elbo.value + 3.0 * (lk.se + elbo.se), "L_K {lk:?} against the ELBO {elbo:?}");
    assert!(lk.value < da.log_z + 3.0 * lk.se, "L_K {lk:?} against ln Z {}", da.log_z);
    let (det_a, det_b) = (a.family().moments().1.determinant(), b.family().moments().1.determinant());
    assert!(det_a > 1.2 * det_b, "A's q wider: |Σ| {det_a} against {det_b}");
}

/// "Nine points give a posterior that leans (correlation −0.83)": the default data's posterior.
#[test]
fn the_logistic_preset_leans_as_it_says() {
    let t = vi_playground::engine::target::find("logistic").unwrap().build_default();
    let p = TargetIntegrals::new(t.as_ref(), Precision::Full);
    let corr = p.cov[(0, 1)] / (p.cov[(0, 0)] * p.cov[(1, 1)]).sqrt();
    assert!((corr + 0.83).abs() < 0.005, "{corr}");
}
