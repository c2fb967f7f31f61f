//! U2 of Rezende & Mohamed (2015), Table 1: the energy, its gradient and its exact values are in
//! [`super::rezende`].

use super::rezende::Rezende;
use super::TargetInfo;
use crate::engine::registry::Explanation;

pub static INFO: TargetInfo = TargetInfo {
    name: "u2",
    label: "U2 (Rezende & Mohamed)",
    inputs: &[],
    explain: Explanation {
        title: "Rezende & Mohamed's U2",
        text: "A sine wave: y follows sin(πx/2) closely, like the squiggle at a fixed frequency. From the paper that introduced normalizing flows (only its middle, [−4, 4]², was drawn there; here x also decays as N(0, 2²) so that p is proper). No ellipse follows the wave: try the flow.",
        formula: r#"<math display="block"><mrow><msub><mi>U</mi><mn>2</mn></msub><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mi>y</mi><mo>−</mo><msub><mi>w</mi><mn>1</mn></msub></mrow><mn>0.4</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup><mrow><mo>+</mo><mfrac><msup><mi>x</mi><mn>2</mn></msup><mn>8</mn></mfrac></mrow><mo>,</mo><mspace width="0.4em"/><msub><mi>w</mi><mn>1</mn></msub><mo>=</mo><mi>sin</mi><mo>(</mo><mfrac><mrow><mi>π</mi><mi>x</mi></mrow><mn>2</mn></mfrac><mo>)</mo></mrow></math>"#,
    },
    build: |_| Ok(Box::new(Rezende(2))),
};
