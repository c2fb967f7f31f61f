//! The bias table: for each coordinate's mean and sd, and for the correlation, the VI value beside
//! the MCMC value ± its Monte Carlo standard error and the exact value where science.md knows it.
//! A row is flagged when VI and MCMC differ by more than 3 standard errors: more than the noise of
//! both explains. The MCMC side's is its MCSE; the VI side's is the fit's own jitter (at a constant
//! learning rate the iterate never settles), measured from a few recent snapshots of q.

use super::math::{sq, Mat2, Vec2};
use super::mcmc::Summary;
use super::target::Exact;

/// How many standard errors of disagreement flag a row.
pub const FLAG_MCSE: f64 = 3.0;

/// How many MCSE between the reference and an exact value make the reference untrustworthy: at 4,
/// a correct reference raises it in 3e-4 of runs (five quantities, each with probability 6e-5).
pub const REFERENCE_MCSE: f64 = 4.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BiasRow {
    /// e.g. "mean x", "sd y", "corr".
    pub quantity: &'static str,
    /// The average over q's snapshots, and its standard error (0 from a single snapshot).
    pub vi: f64,
    pub vi_se: f64,
    pub mcmc: f64,
    pub mcse: f64,
    pub exact: Option<f64>,
    pub flagged: bool,
}

impl BiasRow {
    /// The combined standard error of VI − MCMC.
    pub fn se(&self) -> f64 {
        (self.mcse * self.mcse + self.vi_se * self.vi_se).sqrt()
    }

    /// VI minus MCMC in standard errors.
    pub fn z(&self) -> f64 {
        (self.vi - self.mcmc) / self.se()
    }
}

const QUANTITIES: [&str; 5] = ["mean x", "mean y", "sd x", "sd y", "corr"];

/// Mean, sds and correlation of a distribution with this mean and covariance: the quantities of
/// [`Summary::estimates`], in its order.
pub fn quantities(mean: Vec2, cov: &Mat2) -> [f64; 5] {
    let (sx, sy) = (cov[(0, 0)].sqrt(), cov[(1, 1)].sqrt());
    [mean[0], mean[1], sx, sy, cov[(0, 1)] / (sx * sy)]
}

/// Rows for q's moments against the MCMC summary and the exact moments. `snapshots` are q's mean
/// and covariance at a few recent refreshes (or just the current one): VI's value is their average
/// and its standard error their spread / √n, treating snapshots taken thousands of steps apart as
/// independent.
pub fn bias_table(snapshots: &[(Vec2, Mat2)], mcmc: &Summary, exact: &Exact) -> Vec<BiasRow> {
    let per: Vec<[f64; 5]> = snapshots.iter().map(|(m, c)| quantities(*m, c)).collect();
    let n = per.len().max(1) as f64;
    let ex = exact.cov.map(|c| quantities(exact.mean.unwrap_or_else(Vec2::zeros), &c));
    let mc = mcmc.estimates();
    (0..5)
        .map(|k| {
            let vi = per.iter().map(|q| q[k]).sum::<f64>() / n;
            let var = if per.len() > 1 { per.iter().map(|q| sq(q[k] - vi)).sum::<f64>() / (n - 1.0) } else { 0.0 };
            let (m, mcse) = mc[k];
            let exact = match k {
                0 | 1 => exact.mean.map(|e| e[k]),
                _ => ex.map(|e| e[k]),
            };
            let mut row =
                BiasRow { quantity: QUANTITIES[k], vi, vi_se: (var / n).sqrt(), mcmc: m, mcse, exact, flagged: false };
            row.flagged = !((vi - m).abs() <= FLAG_MCSE * row.se());
            row
        })
        .collect()
}

/// The table as the panel shows it: the rows, and why the reference cannot be trusted (in words);
/// when it cannot, no row is flagged: a biased reference would cry wolf.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BiasPanel {
    pub rows: Vec<BiasRow>,
    pub concerns: Vec<String>,
}

/// [`bias_table`] with the reference's own [`Summary::concerns`] and, where the exact moments are
/// known, any MCMC value more than [`REFERENCE_MCSE`] MCSE from its exact value (chains that all
/// missed a mode agree with each other, so R̂ cannot see it; the exact numbers can).
pub fn bias_panel(snapshots: &[(Vec2, Mat2)], mcmc: &Summary, exact: &Exact) -> BiasPanel {
    let mut rows = bias_table(snapshots, mcmc, exact);
    let mut concerns = mcmc.concerns();
    let off: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let e = r.exact?;
            let z = (r.mcmc - e) / r.mcse;
            (!(z.abs() <= REFERENCE_MCSE)).then(|| format!("{} by {:.0} MCSE", r.quantity, z.abs()))
        })
        .collect();
    if !off.is_empty() {
        concerns.push(format!(
            "the MCMC estimates miss the exact values ({}): the chains have not explored all of p",
            off.join(", ")
        ));
    }
    if !concerns.is_empty() {
        for r in &mut rows {
            r.flagged = false;
        }
    }
    BiasPanel { rows, concerns }
}
