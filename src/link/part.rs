//! The parts of the page, by name: a link hides them (`<part>_hide=1`) and the style sheet lays them out.

/// The parts of the page a link can hide (`<name>_hide=1`), so a lesson shows only what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Controls,
    Target,
    Param,
    Family,
    Divergence,
    Estimator,
    Samples,
    Lr,
    Seed,
    Speed,
    Readouts,
    Chart,
    Mcmc,
    Explain,
}

impl Part {
    /// What the side column holds: with all four hidden, the column goes.
    pub const SIDE: [Part; 4] = [Part::Readouts, Part::Chart, Part::Mcmc, Part::Explain];

    pub const ALL: [Part; 14] = [
        Part::Controls,
        Part::Target,
        Part::Param,
        Part::Family,
        Part::Divergence,
        Part::Estimator,
        Part::Samples,
        Part::Lr,
        Part::Seed,
        Part::Speed,
        Part::Readouts,
        Part::Chart,
        Part::Mcmc,
        Part::Explain,
    ];

    /// The name in the link (`<name>_hide`).
    pub fn name(self) -> &'static str {
        match self {
            Part::Controls => "controls",
            Part::Target => "target",
            Part::Param => "param",
            Part::Family => "family",
            Part::Divergence => "divergence",
            Part::Estimator => "estimator",
            Part::Samples => "samples",
            Part::Lr => "lr",
            Part::Seed => "seed",
            Part::Speed => "speed",
            Part::Readouts => "readouts",
            Part::Chart => "chart",
            Part::Mcmc => "mcmc",
            Part::Explain => "explain",
        }
    }

    /// The name in the "show/hide" menu.
    pub fn label(self) -> &'static str {
        match self {
            Part::Controls => "All controls",
            Part::Target => "Target",
            Part::Param => "Target parameter",
            Part::Family => "Family",
            Part::Divergence => "Divergence",
            Part::Estimator => "Estimator",
            Part::Samples => "Samples",
            Part::Lr => "Learning rate",
            Part::Seed => "Seed",
            Part::Speed => "Speed",
            Part::Readouts => "Readouts",
            Part::Chart => "ELBO chart",
            Part::Mcmc => "MCMC panel",
            Part::Explain => "Explanations",
        }
    }
}
