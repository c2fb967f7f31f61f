//! Convergence diagnostics as Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021) define them,
//! the definitions Stan and ArviZ use:
//!
//! - chains are split in halves, so a drifting chain shows as two disagreeing ones;
//! - rank normalisation: pooled draws replaced by Φ⁻¹((rank − 3/8)/(S + 1/4)), ties averaged;
//! - R̂ = max(split-R̂ of the rank-normalised draws, of the rank-normalised folded draws |x − median|);
//! - ESS from the chains' autocorrelations combined as in Stan (ρ̂ₜ = 1 − (W − mean autocovariance)/var⁺),
//!   summed with Geyer's initial monotone sequence; bulk-ESS on rank-normalised draws, tail-ESS the
//!   smaller of the ESS of the indicators I(x ≤ q₀.₀₅) and I(x ≤ q₀.₉₅);
//! - MCSE of the mean = sd / √ESS, with ESS of the draws themselves; of the sd and the correlation
//!   by the delta method.

use crate::engine::math::{ln, sq};

/// The draws of one scalar quantity: one vector per chain, all of the same length.
pub type Chains<'a> = &'a [Vec<f64>];

/// Standard normal quantile Φ⁻¹(p), Wichura's algorithm AS 241 (1988), relative error ~1e-16.
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else if p == 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457)
                * r
                + 13731.693765509461125)
                * r
                + 1971.5909503065514427)
                * r
                + 133.14166789178437745)
                * r
                + 3.387132872796366608)
            / (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867)
                * r
                + 5394.1960214247511077)
                * r
                + 687.1870074920579083)
                * r
                + 42.313330701600911252)
                * r
                + 1.0);
    }
    // The smaller tail probability (p < ½ exactly when q < 0).
    let r = p.min(1.0 - p);
    let r = (-ln(r)).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
            + 1.27045825245236838258)
            * r
            + 3.64784832476320460504)
            * r
            + 5.7694972214606914055)
            * r
            + 4.6303378461565452959)
            * r
            + 1.42343711074968357734)
            / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                + 0.14810397642748007459)
                * r
                + 0.68976733498510000455)
                * r
                + 1.6763848301838038494)
                * r
                + 2.05319162663775882187)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
            + 0.026532189526576123093)
            * r
            + 0.29656057182850489123)
            * r
            + 1.7848265399172913358)
            * r
            + 5.4637849111641143699)
            * r
            + 6.6579046435011037772)
            / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                + 7.868691311456132591e-4)
                * r
                + 0.0148753612908506148525)
                * r
                + 0.13692988092273580531)
                * r
                + 0.59983220655588793769)
                * r
                + 1.0)
    };
    x.copysign(q)
}

/// Each chain cut into its first and second half (an odd middle draw is dropped, as in ArviZ).
pub fn split(chains: Chains) -> Vec<Vec<f64>> {
    chains
        .iter()
        .flat_map(|c| {
            let h = c.len() / 2;
            [c[..h].to_vec(), c[c.len() - h..].to_vec()]
        })
        .collect()
}

/// Rank normalisation over all chains together.
pub fn rank_normalise(chains: Chains) -> Vec<Vec<f64>> {
    let n: usize = chains.iter().map(Vec::len).sum();
    let mut order: Vec<(f64, usize, usize)> =
        chains.iter().enumerate().flat_map(|(c, v)| v.iter().enumerate().map(move |(i, &x)| (x, c, i))).collect();
    // Unstable is enough: ties get their average rank below, whatever their order.
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Vec<f64>> = chains.iter().map(|c| vec![0.0; c.len()]).collect();
    let mut k = 0;
    while k < n {
        let mut end = k;
        while end + 1 < n && order[end + 1].0 == order[k].0 {
            end += 1;
        }
        let rank = (k + end) as f64 / 2.0 + 1.0; // average rank of the tie, 1-based
        let z = normal_quantile((rank - 0.375) / (n as f64 + 0.25));
        for &(_, c, i) in &order[k..=end] {
            out[c][i] = z;
        }
        k = end + 1;
    }
    out
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| sq(v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// Split-R̂ of chains already split: √(var⁺/W), var⁺ = (N−1)/N·W + B/N.
fn rhat_basic(chains: Chains) -> f64 {
    let n = chains[0].len() as f64;
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let b = n * variance(&means);
    let w = mean(&chains.iter().map(|c| variance(c)).collect::<Vec<_>>());
    ((n - 1.0) / n * w + b / n).sqrt() / w.sqrt()
}

/// Rank-normalised split-R̂ (bulk and folded, the larger).
pub fn rhat(chains: Chains) -> f64 {
    let s = split(chains);
    let bulk = rhat_basic(&rank_normalise(&s));
    let med = median(&s.concat());
    let folded: Vec<Vec<f64>> = s.iter().map(|c| c.iter().map(|x| (x - med).abs()).collect()).collect();
    bulk.max(rhat_basic(&rank_normalise(&folded)))
}

fn median(x: &[f64]) -> f64 {
    quantile(x, 0.5)
}

/// Sample quantile with linear interpolation (type 7, numpy's default).
pub fn quantile(x: &[f64], p: f64) -> f64 {
    let mut v = x.to_vec();
    crate::engine::math::sort_f64(&mut v);
    let h = (v.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Autocovariance of one chain at lag t (biased, divided by n, as in Stan).
fn autocov(x: &[f64], m: f64, t: usize) -> f64 {
    let n = x.len();
    (0..n - t).map(|i| (x[i] - m) * (x[i + t] - m)).sum::<f64>() / n as f64
}

/// ESS of chains (not split here), Stan's estimator with Geyer's initial monotone sequence; capped
/// at S·log₁₀(S) as in ArviZ. Constant draws (spread below 1e-15, where ArviZ returns S) and fewer
/// than 4 draws give NaN.
pub fn ess(chains: Chains) -> f64 {
    let m = chains.len();
    let n = chains[0].len();
    if n < 4 {
        return f64::NAN;
    }
    // Constant draws (to ArviZ's 1e-15; their mean's rounding would otherwise leave a variance
    // of 1e-33 to divide by): no ESS.
    let (lo, hi) =
        chains.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if !(hi - lo >= 1e-15) {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let acov0: Vec<f64> = chains.iter().zip(&means).map(|(c, &mu)| autocov(c, mu, 0)).collect();
    let chain_var: Vec<f64> = acov0.iter().map(|a| a * n as f64 / (n as f64 - 1.0)).collect();
    let w = mean(&chain_var);
    let b_over_n = if m > 1 { variance(&means) } else { 0.0 };
    let var_plus = w * (n as f64 - 1.0) / n as f64 + b_over_n;
    // Infinite or NaN draws: no ESS.
    if !var_plus.is_finite() {
        return f64::NAN;
    }
    // ρ̂₀ = 1; ρ̂ₜ = 1 − (W − mean autocovariance at lag t)/var⁺.
    let rho = |t: usize| -> f64 {
        if t == 0 {
            return 1.0;
        }
        let mean_acov = chains.iter().zip(&means).map(|(c, &mu)| autocov(c, mu, t)).sum::<f64>() / m as f64;
        1.0 - (w - mean_acov) / var_plus
    };
    // Geyer's initial monotone sequence as Stan and ArviZ sum it: the pairs Pⱼ = ρ̂₂ⱼ + ρ̂₂ⱼ₊₁ in order,
    // each no larger than the one before, while positive and while a next pair fits within lag
    // n − 2; of the pair Pⱼ where that stopped, its even term ρ̂₂ⱼ is added once (Stan's "improved"
    // estimate; only where it is positive if Pⱼ itself is negative): τ = −1 + 2 Σ Pₖ + ρ̂₂ⱼ.
    let mut tau = -1.0;
    let mut prev_pair = f64::INFINITY;
    let mut j = 0;
    let (mut even, mut pair) = (1.0, 1.0 + rho(1));
    while pair > 0.0 && 2 * (j + 1) + 2 < n {
        let kept = pair.min(prev_pair);
        tau += 2.0 * kept;
        prev_pair = kept;
        j += 1;
        even = rho(2 * j);
        pair = even + rho(2 * j + 1);
    }
    if pair >= 0.0 || even > 0.0 {
        tau += even;
    }
    let s = (m * n) as f64;
    (s / tau).min(s * libm::log10(s))
}

/// Bulk-ESS: ESS of the rank-normalised split chains.
pub fn ess_bulk(chains: Chains) -> f64 {
    ess(&rank_normalise(&split(chains)))
}

/// Tail-ESS: the smaller ESS of I(x ≤ q₀.₀₅) and I(x ≤ q₀.₉₅) on the split chains, the quantiles
/// of all the draws.
pub fn ess_tail(chains: Chains) -> f64 {
    let s = split(chains);
    // The quantiles of all draws, the middle one of an odd chain included (as ArviZ and Stan).
    let all = chains.concat();
    [0.05, 0.95]
        .iter()
        .map(|&p| {
            let q = quantile(&all, p);
            ess(&map(&s, |x| f64::from(u8::from(x <= q))))
        })
        .fold(f64::INFINITY, f64::min)
}

/// ESS of the mean (split chains, not rank-normalised) and the MCSE of the mean, sd/√ESS with the sd
/// of all the draws.
pub fn mcse_mean(chains: Chains) -> (f64, f64) {
    let s = split(chains);
    let e = ess(&s);
    let sd = variance(&chains.concat()).sqrt();
    (sd / e.sqrt(), e)
}

/// MCSE of an expectation E[f]: the same for the draws fᵢ (e.g. products for a correlation).
pub fn mcse_of(values: Chains) -> f64 {
    mcse_mean(values).0
}

/// MCSE of the standard deviation `sd` of draws with mean `mean`, by the delta method (science.md,
/// "MCMC reference"): sd = √E[(x − m)²] is a smooth function of a mean, so its error is that of the
/// mean of its influence function (x − m)²/(2 sd), with that function's own ESS. For N independent
/// normal draws, sd/√(2N).
pub fn mcse_sd(chains: Chains, mean: f64, sd: f64) -> f64 {
    mcse_of(&map(chains, |v| sq(v - mean))) / (2.0 * sd)
}

/// `f` applied to every draw of every chain.
fn map(chains: Chains, f: impl Fn(f64) -> f64) -> Vec<Vec<f64>> {
    chains.iter().map(|c| c.iter().map(|&x| f(x)).collect()).collect()
}

/// MCSE of Pearson's correlation `corr` of paired chains `xs`, `ys` (means and sds given), by the
/// delta method: the mean of its influence function uv − (r/2)(u² + v²) of the standardised draws
/// u, v. For N independent draws of a bivariate normal its variance is (1 − ρ²)², so the MCSE is
/// (1 − ρ²)/√N (against √(1 + ρ²) for the mean of uv alone).
pub fn mcse_corr(xs: Chains, ys: Chains, mean: [f64; 2], sd: [f64; 2], corr: f64) -> f64 {
    let influence: Vec<Vec<f64>> = xs
        .iter()
        .zip(ys)
        .map(|(cx, cy)| {
            cx.iter()
                .zip(cy)
                .map(|(x, y)| {
                    let (u, v) = ((x - mean[0]) / sd[0], (y - mean[1]) / sd[1]);
                    u * v - 0.5 * corr * (u * u + v * v)
                })
                .collect()
        })
        .collect();
    mcse_of(&influence)
}

/// E-BFMI of one chain's energies (Betancourt 2016, "Diagnosing suboptimal cotangent disintegrations
/// in Hamiltonian Monte Carlo", eq. 18; Stan's and ArviZ's `bfmi`): Σ (Eₙ − Eₙ₋₁)² / Σ (Eₙ − Ē)².
/// NaN for fewer than two energies.
pub fn e_bfmi(energies: &[f64]) -> f64 {
    if energies.len() < 2 {
        return f64::NAN;
    }
    let mean = energies.iter().sum::<f64>() / energies.len() as f64;
    let num: f64 = energies.windows(2).map(|w| sq(w[1] - w[0])).sum();
    let den: f64 = energies.iter().map(|e| sq(e - mean)).sum();
    num / den
}
