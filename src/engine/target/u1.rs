//! U1 of Rezende & Mohamed (2015), Table 1: the energy, its gradient and its exact values are in
//! [`super::rezende`].

use super::rezende::Rezende;
use super::TargetInfo;
use crate::engine::registry::Explanation;

pub static INFO: TargetInfo = TargetInfo {
    name: "u1",
    label: "U1 (Rezende & Mohamed)",
    inputs: &[],
    explain: Explanation {
        title: "Rezende & Mohamed's U1",
        text: "A ring of radius 2 cut by two bumps at x = ±2: two crescents facing each other. From the paper that introduced normalizing flows, where a planar flow of depth 32 was needed to match it. A Gaussian takes one crescent or blurs both; try the flow and watch how many layers it takes.",
        formula: r#"<math display="block"><mrow><msub><mi>U</mi><mn>1</mn></msub><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mo>‖</mo><mi>z</mi><mo>‖</mo><mo>−</mo><mn>2</mn></mrow><mn>0.4</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup><mo>−</mo><mi>ln</mi><mo>(</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>x</mi><mo>−</mo><mn>2</mn></mrow></mrow><mn>0.6</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>+</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>x</mi><mo>+</mo><mn>2</mn></mrow></mrow><mn>0.6</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>)</mo></mrow></math>"#,
    },
    build: |_| Ok(Box::new(Rezende(1))),
};
