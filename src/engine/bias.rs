//! The bias table: for each coordinate's mean and sd, and for the correlation, the VI value beside
//! the MCMC value ± its Monte Carlo standard error and the exact value where science.md knows it.
//! A row is flagged when VI and MCMC differ by more than 3 MCSE: more than sampling noise explains.

use super::math::{Mat2, Vec2};
use super::mcmc::Summary;
use super::target::Exact;

/// How many MCSE of disagreement flag a row.
pub const FLAG_MCSE: f64 = 3.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BiasRow {
    /// e.g. "mean x", "sd y", "corr".
    pub quantity: &'static str,
    pub vi: f64,
    pub mcmc: f64,
    pub mcse: f64,
    pub exact: Option<f64>,
    pub flagged: bool,
}

impl BiasRow {
    /// VI minus MCMC in units of MCSE.
    pub fn z(&self) -> f64 {
        (self.vi - self.mcmc) / self.mcse
    }
}

/// Rows for q's moments (`vi_mean`, `vi_cov`) against the MCMC summary and the exact moments.
pub fn bias_table(vi_mean: Vec2, vi_cov: &Mat2, mcmc: &Summary, exact: &Exact) -> Vec<BiasRow> {
    let vi_sd = Vec2::new(vi_cov[(0, 0)].sqrt(), vi_cov[(1, 1)].sqrt());
    let ex_sd = exact.cov.map(|c| Vec2::new(c[(0, 0)].sqrt(), c[(1, 1)].sqrt()));
    let row = |quantity, vi: f64, mcmc: f64, mcse: f64, exact: Option<f64>| BiasRow {
        quantity,
        vi,
        mcmc,
        mcse,
        exact,
        flagged: !((vi - mcmc).abs() <= FLAG_MCSE * mcse),
    };
    vec![
        row("mean x", vi_mean[0], mcmc.mean[0], mcmc.mcse_mean[0], exact.mean.map(|m| m[0])),
        row("mean y", vi_mean[1], mcmc.mean[1], mcmc.mcse_mean[1], exact.mean.map(|m| m[1])),
        row("sd x", vi_sd[0], mcmc.sd[0], mcmc.mcse_sd[0], ex_sd.map(|s| s[0])),
        row("sd y", vi_sd[1], mcmc.sd[1], mcmc.mcse_sd[1], ex_sd.map(|s| s[1])),
        row(
            "corr",
            vi_cov[(0, 1)] / (vi_sd[0] * vi_sd[1]),
            mcmc.corr,
            mcmc.mcse_corr,
            exact.cov.map(|c| c[(0, 1)] / (c[(0, 0)] * c[(1, 1)]).sqrt()),
        ),
    ]
}
