//! U4 of Rezende & Mohamed (2015), Table 1: the energy, its gradient and its exact values are in
//! [`super::rezende`].

use super::rezende::Rezende;
use super::TargetInfo;
use crate::engine::registry::Explanation;

pub static INFO: TargetInfo = TargetInfo {
    name: "u4",
    label: "U4 (Rezende & Mohamed)",
    inputs: &[],
    explain: Explanation {
        title: "Rezende & Mohamed's U4",
        text: "The sine wave whose second branch drops by 3 for x beyond 1 (a step, by a sigmoid): on the right the mass splits into two parallel waves. A hard case for every family: compare reverse and forward KL on it.",
        formula: r#"<math display="block"><mrow><msub><mi>U</mi><mn>4</mn></msub><mo>=</mo><mo>−</mo><mi>ln</mi><mo>(</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>y</mi><mo>−</mo><msub><mi>w</mi><mn>1</mn></msub></mrow></mrow><mn>0.4</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>+</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>y</mi><mo>−</mo><msub><mi>w</mi><mn>1</mn></msub><mo>+</mo><msub><mi>w</mi><mn>3</mn></msub></mrow></mrow><mn>0.35</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>)</mo><mrow><mo>+</mo><mfrac><msup><mi>x</mi><mn>2</mn></msup><mn>8</mn></mfrac></mrow><mo>,</mo><mspace width="0.4em"/><msub><mi>w</mi><mn>3</mn></msub><mo>=</mo><mn>3</mn><mi>σ</mi><mo>(</mo><mfrac><mrow><mi>x</mi><mo>−</mo><mn>1</mn></mrow><mn>0.3</mn></mfrac><mo>)</mo></mrow></math>"#,
    },
    build: |_| Ok(Box::new(Rezende(4))),
};
