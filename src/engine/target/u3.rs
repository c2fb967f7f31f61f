//! U3 of Rezende & Mohamed (2015), Table 1: the energy, its gradient and its exact values are in
//! [`super::rezende`].

use super::rezende::Rezende;
use super::TargetInfo;
use crate::engine::registry::Explanation;

pub static INFO: TargetInfo = TargetInfo {
    name: "u3",
    label: "U3 (Rezende & Mohamed)",
    inputs: &[],
    explain: Explanation {
        title: "Rezende & Mohamed's U3",
        text: "The sine wave with a second branch that splits off below it near x = 1: two ridges that meet at the ends. A single Gaussian sits between the branches or on one; the flow has to tear its mass in two.",
        formula: r#"<math display="block"><mrow><msub><mi>U</mi><mn>3</mn></msub><mo>=</mo><mo>−</mo><mi>ln</mi><mo>(</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>y</mi><mo>−</mo><msub><mi>w</mi><mn>1</mn></msub></mrow></mrow><mn>0.35</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>+</mo><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>y</mi><mo>−</mo><msub><mi>w</mi><mn>1</mn></msub><mo>+</mo><msub><mi>w</mi><mn>2</mn></msub></mrow></mrow><mn>0.35</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup><mo>)</mo><mrow><mo>+</mo><mfrac><msup><mi>x</mi><mn>2</mn></msup><mn>8</mn></mfrac></mrow><mo>,</mo><mspace width="0.4em"/><msub><mi>w</mi><mn>2</mn></msub><mo>=</mo><mn>3</mn><msup><mi>e</mi><mrow><mrow><mo>−</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mfrac><mrow><mrow><mi>x</mi><mo>−</mo><mn>1</mn></mrow></mrow><mn>0.6</mn></mfrac><mo>)</mo></mrow><mn>2</mn></msup></mrow></mrow></msup></mrow></math>"#,
    },
    build: |_| Ok(Box::new(Rezende(3))),
};
