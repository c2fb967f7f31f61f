//! Full-rank Gaussian: z = μ + Lε with L lower-triangular (see [`super::Gaussian`]).

use super::{FamilyInfo, Gaussian, Needs, Structure};
use crate::engine::registry::Explanation;

pub static INFO: FamilyInfo = FamilyInfo {
    name: "full-rank",
    label: "Full-rank Gaussian",
    default_lr: 0.05,
    offers: Needs::Bijection,
    options: &[],
    explain: Explanation {
        title: "Full-rank Gaussian",
        text: "A mean and a lower-triangular factor L of the covariance LLᵀ: every 2-D Gaussian, tilted ellipses included. \
               It fits a correlated Gaussian exactly, but it is still one ellipse, so curves and second modes stay out of reach.",
        formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>L</mi><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>q</mi><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>μ</mi><mo>,</mo><mi>L</mi><msup><mi>L</mi><mo>⊤</mo></msup><mo>)</mo></math>"#,
    },
    build: |_, _| Ok(Box::new(Gaussian::standard(Structure::FullRank))),
};
