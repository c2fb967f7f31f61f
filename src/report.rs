//! One schema for a fit as JSON: `vi-fit` prints it and the page's export holds one per fit, with the
//! same keys and the same numbers for the same fit. The settings come from the settings table (the
//! target's inputs under `target_param`, the family's and objective's rows in use under `options`),
//! so a new entry's options appear here without a line in this file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::fit::{Fit, Status};
use crate::engine::settings::{Options, Value};

/// A setting's value: a number, a name or text, or points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Setting {
    Number(f64),
    Text(String),
    Points(Vec<[f64; 2]>),
}

impl From<Value> for Setting {
    fn from(v: Value) -> Self {
        match v {
            Value::Number(x) => Setting::Number(x),
            Value::Name(n) => Setting::Text(n.to_string()),
            Value::Text(t) => Setting::Text(t),
            Value::Points(p) => Setting::Points(p),
        }
    }
}

/// Where a fit stopped, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diverged {
    pub step: u64,
    pub what: String,
}

/// A fit: its settings, where it is and its exact numbers. Non-finite numbers (JSON has none) are
/// `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// "A" or "B" on the page; absent on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<String>,
    pub target: String,
    /// The target's inputs, e.g. `{"rho": 0.9}`.
    pub target_param: BTreeMap<String, Setting>,
    pub family: String,
    pub divergence: String,
    /// The family's and the objective's rows in use, by key: `{"estimator": "reparam"}`,
    /// `{"depth": 4, "width": 16, "proposal": "snis"}`.
    pub options: BTreeMap<String, Setting>,
    pub samples: usize,
    pub lr: f64,
    pub schedule: String,
    pub seed: u64,
    pub steps: u64,
    pub params_count: usize,
    /// What q is made of, in words.
    pub structure: String,
    /// The running average of the ELBO estimates, and the last estimate.
    pub elbo: Option<f64>,
    pub elbo_last: Option<f64>,
    pub log_z: Option<f64>,
    pub log_z_error: Option<f64>,
    pub kl_qp: Option<f64>,
    pub kl_qp_error: Option<f64>,
    pub kl_pq: Option<f64>,
    pub kl_pq_error: Option<f64>,
    pub k_hat: Option<f64>,
    /// Rényi's D_α(q‖p) by quadrature (only for an objective with an α).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_alpha: Option<f64>,
    /// The ln Z sandwich: the exact CUBO₂ = ½ ln E_q[(p̃/q)²] by quadrature (`null` where it is
    /// infinite: q's tails lighter than p's), and its Monte Carlo estimate from 1000 defensive draws
    /// with the standard error. With `elbo`, ELBO ≤ ln Z ≤ CUBO₂.
    pub cubo2: Option<f64>,
    pub cubo2_estimate: Option<f64>,
    pub cubo2_estimate_se: Option<f64>,
    /// IWAE's bound L_K at the objective's K, by Monte Carlo with its standard error (only for an
    /// objective with a K).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iwae_bound: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iwae_bound_se: Option<f64>,
    /// The importance weights' ESS (forward KL by importance sampling).
    pub ess: Option<f64>,
    pub mean: [f64; 2],
    pub cov: [[f64; 2]; 2],
    pub params: Vec<f64>,
    pub diverged: Option<Diverged>,
}

/// Rows' values by key, as the JSON holds them (a target's inputs: `{"rho": 0.9}`).
pub fn values<'a>(
    rows: impl IntoIterator<Item = &'a crate::engine::settings::Setting>,
    options: &Options,
) -> BTreeMap<String, Setting> {
    rows.into_iter().map(|r| (r.key.to_string(), options.get(r).into())).collect()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl FitReport {
    /// The report of `fit` now (its exact numbers computed afresh: milliseconds, a flow's more).
    pub fn of(fit: &Fit, name: Option<&str>) -> FitReport {
        let s = fit.settings();
        let snap = fit.snapshot();
        let diag = fit.diagnostics();
        let (mut target_param, mut options) = (BTreeMap::new(), BTreeMap::new());
        if let Ok(e) = s.entries() {
            target_param = values(e.target.inputs, &s.options);
            options = values(e.family.options.iter().chain(e.objective.rows()), &s.options);
        }
        FitReport {
            fit: name.map(str::to_string),
            target: s.target.clone(),
            target_param,
            family: s.family.clone(),
            divergence: s.objective.clone(),
            options,
            samples: s.samples,
            lr: s.lr,
            schedule: s.schedule.name().into(),
            seed: s.seed,
            steps: snap.step,
            params_count: snap.params.len(),
            structure: fit.family().describe(),
            elbo: finite(snap.elbo_avg),
            elbo_last: finite(snap.elbo),
            log_z: finite(diag.log_z),
            log_z_error: finite(fit.integrals().log_z_error),
            kl_qp: finite(diag.kl.kl_qp),
            kl_qp_error: finite(diag.kl.kl_qp_error),
            kl_pq: finite(diag.kl.kl_pq),
            kl_pq_error: finite(diag.kl.kl_pq_error),
            k_hat: finite(diag.k_hat),
            d_alpha: diag.d_alpha.and_then(finite),
            cubo2: finite(diag.sandwich.cubo2),
            cubo2_estimate: finite(diag.sandwich.cubo2_estimate.value),
            cubo2_estimate_se: finite(diag.sandwich.cubo2_estimate.se),
            iwae_bound: diag.sandwich.iwae_bound.and_then(|(_, b)| finite(b.value)),
            iwae_bound_se: diag.sandwich.iwae_bound.and_then(|(_, b)| finite(b.se)),
            ess: snap.ess,
            mean: [snap.mean[0], snap.mean[1]],
            cov: [[snap.cov[(0, 0)], snap.cov[(0, 1)]], [snap.cov[(1, 0)], snap.cov[(1, 1)]]],
            params: snap.params,
            diverged: match snap.status {
                Status::Running => None,
                Status::Diverged { step, what } => Some(Diverged { step, what }),
            },
        }
    }
}

/// The page's export: its link, whether the link reproduces the run (and why not), the link's
/// settings as it writes them, and one report per fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageExport {
    pub link: String,
    pub link_reproduces_run: bool,
    pub why_not: Option<String>,
    pub settings: BTreeMap<String, String>,
    pub fits: Vec<FitReport>,
}
