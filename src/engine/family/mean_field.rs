//! Mean-field Gaussian: z = μ + σ ⊙ ε, a mean and one sd per axis (see [`super::Gaussian`]).

use super::{FamilyInfo, Gaussian, Needs, Structure};
use crate::engine::registry::Explanation;

pub static INFO: FamilyInfo = FamilyInfo {
    name: "mean-field",
    label: "Mean-field Gaussian",
    default_lr: 0.05,
    offers: Needs::Bijection,
    options: &[],
    explain: Explanation {
        title: "Mean-field Gaussian",
        text: "Each coordinate gets its own mean and sd, and q treats them as independent. \
               On a Gaussian target, reverse KL then matches the diagonal of the precision Λ = Σ⁻¹ (here 1 − ρ², far below the true variance 1): mean-field is overconfident. Forward KL matches the true marginals instead.",
        formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>σ</mi><mo>⊙</mo><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>ε</mi><mo>∼</mo><mi mathvariant="script">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo><mo>,</mo><mspace width="1em"/><msubsup><mi>σ</mi><mi>i</mi><mn>2</mn></msubsup><mo>=</mo><mfrac><mn>1</mn><msub><mi>Λ</mi><mi>ii</mi></msub></mfrac><mspace width="0.5em"/><mtext>(reverse KL, Gaussian p)</mtext></math>"#,
    },
    build: |_, _| Ok(Box::new(Gaussian::standard(Structure::MeanField))),
};
