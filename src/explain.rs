//! What the page says about the current choices: two or three sentences and one formula each (as
//! presentation MathML, which browsers render natively), and guided lessons that set the controls
//! by a link and say what to look for. Definitions follow `shared/science.md`; the textbook results
//! are those of Bishop's PRML §10.1 and the papers named in the text.

/// One explanation: a title, two or three plain sentences, and a formula as MathML.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    pub title: &'static str,
    pub text: &'static str,
    pub formula: &'static str,
}

impl Explanation {
    /// The formula as pieces that may wrap like words, each its own `<math>`: cut at its wide
    /// spaces (`<mspace width="1em"/>`, which separate its clauses) and before a `+` or `−`
    /// between terms outside any bracket, where a typesetter breaks a long line. A piece after a
    /// wide space is marked `spaced`, one after an operator break `continued`; the style sheet
    /// puts the space back between them.
    pub fn formula_pieces(&self) -> Vec<String> {
        let inner = self
            .formula
            .strip_prefix(r#"<math display="block">"#)
            .and_then(|f| f.strip_suffix("</math>"))
            .unwrap_or(self.formula);
        let mut pieces: Vec<(&str, String)> = vec![("", String::new())];
        let mut brackets = 0i32;
        let mut last_was_operator = true;
        for element in top_level_elements(inner) {
            match element {
                WIDE_SPACE => {
                    pieces.push(("spaced", String::new()));
                    last_was_operator = true;
                    continue;
                }
                "<mo>(</mo>" | "<mo>[</mo>" => brackets += 1,
                "<mo>)</mo>" | "<mo>]</mo>" => brackets -= 1,
                "<mo>+</mo>" | "<mo>−</mo>" if brackets == 0 && !last_was_operator => {
                    pieces.push(("continued", String::new()));
                }
                _ => {}
            }
            // A closing bracket ends an operand, as a symbol does.
            last_was_operator = element.starts_with("<mo>") && !matches!(element, "<mo>)</mo>" | "<mo>]</mo>");
            if let Some(piece) = pieces.last_mut() {
                piece.1.push_str(element);
            }
        }
        pieces
            .into_iter()
            .filter(|(_, body)| !body.is_empty())
            .map(|(class, body)| match class {
                "" => format!(r#"<math display="block">{body}</math>"#),
                _ => format!(r#"<math display="block" class="{class}">{body}</math>"#),
            })
            .collect()
    }
}

/// The space between a formula's clauses.
const WIDE_SPACE: &str = r#"<mspace width="1em"/>"#;

/// The children of a MathML element's content, each with everything inside it.
fn top_level_elements(mathml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut at = 0;
    while let Some(i) = mathml[at..].find('<') {
        let open = at + i;
        let Some(j) = mathml[open..].find('>') else { break };
        let close = open + j + 1;
        let tag = &mathml[open..close];
        if depth == 0 {
            start = open;
        }
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with("/>") {
            depth += 1;
        }
        if depth == 0 {
            out.push(&mathml[start..close]);
        }
        at = close;
    }
    out
}

/// A guided lesson: a question, the link state that sets the controls, and what to look for.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub query: &'static str,
    pub look_for: &'static str,
}

pub fn target(name: &str) -> Option<Explanation> {
    Some(match name {
        "banana" => Explanation {
            title: "The banana",
            text: "x is standard normal and y follows b(x² − 1) with noise of sd 0.5, so the density bends into a curved ridge. \
                   A Gaussian can only cover it with a straight ellipse; the curvature b sets how much it misses.",
            formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>x</mi><mo>;</mo><mn>0</mn><mo>,</mo><mn>1</mn><mo>)</mo><mspace width="0.2em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>y</mi><mo>;</mo><mi>b</mi><mo>(</mo><msup><mi>x</mi><mn>2</mn></msup><mo>−</mo><mn>1</mn><mo>)</mo><mo>,</mo><msup><mi>σ</mi><mn>2</mn></msup><mo>)</mo></math>"#,
        },
        "bimodal" => Explanation {
            title: "Two modes",
            text: "A mixture of two round Gaussians at ±(1.5, 1.5) with weights w and 1 − w. \
                   It shows what a single-peaked q does with two peaks: reverse KL picks one, forward KL spreads over both.",
            formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi>w</mi><mspace width="0.1em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><mo>−</mo><mi>a</mi><mn>𝟏</mn><mo>,</mo><msup><mi>s</mi><mn>2</mn></msup><mi>I</mi><mo>)</mo><mo>+</mo><mo>(</mo><mn>1</mn><mo>−</mo><mi>w</mi><mo>)</mo><mspace width="0.1em"/><mi mathvariant="script">N</mi><mo>(</mo><mi>z</mi><mo>;</mo><mi>a</mi><mn>𝟏</mn><mo>,</mo><msup><mi>s</mi><mn>2</mn></msup><mi>I</mi><mo>)</mo></math>"#,
        },
        "correlated" => Explanation {
            title: "A correlated Gaussian",
            text: "A Gaussian with unit variances and correlation ρ: the simplest posterior where the two coordinates depend on each other. \
                   Its exact answer is known, so every error of the fit can be read off.",
            formula: r#"<math display="block"><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi mathvariant="script">N</mi><mrow><mo>(</mo><mi>z</mi><mo>;</mo><mn>0</mn><mo>,</mo><mrow><mo>[</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mi>ρ</mi></mtd></mtr><mtr><mtd><mi>ρ</mi></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>]</mo></mrow><mo>)</mo></mrow></math>"#,
        },
        _ => return None,
    })
}

pub fn family(name: &str) -> Option<Explanation> {
    Some(match name {
        "mean-field" => Explanation {
            title: "Mean-field Gaussian",
            text: "Each coordinate gets its own mean and sd, and q treats them as independent. \
                   On a Gaussian target, reverse KL then matches the diagonal of the precision Λ = Σ⁻¹ (here 1 − ρ², far below the true variance 1): mean-field is overconfident. Forward KL matches the true marginals instead.",
            formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>σ</mi><mo>⊙</mo><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>ε</mi><mo>∼</mo><mi mathvariant="script">N</mi><mo>(</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo><mo>,</mo><mspace width="1em"/><msubsup><mi>σ</mi><mi>i</mi><mn>2</mn></msubsup><mo>=</mo><mfrac><mn>1</mn><msub><mi>Λ</mi><mi>ii</mi></msub></mfrac><mspace width="0.5em"/><mtext>(reverse KL, Gaussian p)</mtext></math>"#,
        },
        "full-rank" => Explanation {
            title: "Full-rank Gaussian",
            text: "A mean and a lower-triangular factor L of the covariance LLᵀ: every 2-D Gaussian, tilted ellipses included. \
                   It fits a correlated Gaussian exactly, but it is still one ellipse, so curves and second modes stay out of reach.",
            formula: r#"<math display="block"><mi>z</mi><mo>=</mo><mi>μ</mi><mo>+</mo><mi>L</mi><mi>ε</mi><mo>,</mo><mspace width="1em"/><mi>q</mi><mo>=</mo><mi mathvariant="script">N</mi><mo>(</mo><mi>μ</mi><mo>,</mo><mi>L</mi><msup><mi>L</mi><mo>⊤</mo></msup><mo>)</mo></math>"#,
        },
        "flow" => Explanation {
            title: "Normalizing flow",
            text: "Standard normal noise is pushed through invertible affine coupling layers (RealNVP) and a final full-rank affine layer, so q can bend. \
                   Its density follows from the change of variables: the base density divided by how much the map stretches space.",
            formula: r#"<math display="block"><mi>ln</mi><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mi>ln</mi><mi mathvariant="script">N</mi><mo>(</mo><mi>ε</mi><mo>;</mo><mn>0</mn><mo>,</mo><mi>I</mi><mo>)</mo><mo>−</mo><mi>ln</mi><mrow><mo>|</mo><mi>det</mi><mfrac><mrow><mo>∂</mo><mi>T</mi></mrow><mrow><mo>∂</mo><mi>ε</mi></mrow></mfrac><mo>|</mo></mrow><mo>,</mo><mspace width="1em"/><mi>z</mi><mo>=</mo><mi>T</mi><mo>(</mo><mi>ε</mi><mo>)</mo></math>"#,
        },
        _ => return None,
    })
}

pub fn divergence(name: &str) -> Option<Explanation> {
    Some(match name {
        "reverse" => Explanation {
            title: "Reverse KL: maximise the ELBO",
            text: "ln Z is fixed, so raising the ELBO lowers KL(q‖p): the gap between the ELBO curve and the dashed ln Z line is that KL. \
                   It weighs errors where q puts mass, so q avoids regions p lacks: mode-seeking, and too narrow.",
            formula: r#"<math display="block"><mi>ln</mi><mi>Z</mi><mo>=</mo><munder><munder><mrow><msub><mi>𝔼</mi><mi>q</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><mi>z</mi><mo>)</mo><mo>−</mo><mi>ln</mi><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo></mrow><mo>⏟</mo></munder><mtext>ELBO</mtext></munder><mo>+</mo><mi>KL</mi><mo>(</mo><mi>q</mi><mo>‖</mo><mi>p</mi><mo>)</mo></math>"#,
        },
        "forward" => Explanation {
            title: "Forward KL: cover the mass",
            text: "KL(p‖q) weighs errors where p has mass, so q must not miss any of it: mass-covering, often too wide. \
                   p's expectations are unknown, so they are estimated by self-normalised importance sampling (or from MCMC draws).",
            formula: r#"<math display="block"><mi>KL</mi><mo>(</mo><mi>p</mi><mo>‖</mo><mi>q</mi><mo>)</mo><mo>=</mo><msub><mi>𝔼</mi><mi>p</mi></msub><mo>[</mo><mi>ln</mi><mi>p</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>−</mo><mi>ln</mi><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo><mo>,</mo><mspace width="1em"/><msub><mo>∇</mo><mi>φ</mi></msub><mo>=</mo><mo>−</mo><msub><mi>𝔼</mi><mi>p</mi></msub><mo>[</mo><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo></math>"#,
        },
        _ => return None,
    })
}

pub fn estimator(name: &str) -> Option<Explanation> {
    Some(match name {
        "reparam" => Explanation {
            title: "Reparameterisation gradient",
            text: "Write z = T(ε) with fixed noise ε and differentiate through T. \
                   Low variance for smooth targets; the usual choice.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mi>ELBO</mi><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munderover><mo>∑</mo><mrow><mi>s</mi><mo>=</mo><mn>1</mn></mrow><mi>S</mi></munderover><msub><mo>∇</mo><mi>φ</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>T</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo><mo>)</mo><mo>−</mo><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>T</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>ε</mi><mi>s</mi></msub><mo>)</mo><mo>)</mo><mo>]</mo></math>"#,
        },
        "stl" => Explanation {
            title: "Sticking the landing",
            text: "The reparameterisation gradient without the score term of ln q, whose expectation is zero (Roeder, Wu and Duvenaud 2017). \
                   When q can equal p the gradient vanishes there, so the fit lands instead of jittering.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munder><mo>∑</mo><mi>s</mi></munder><msup><mrow><mo>(</mo><mfrac><mrow><mo>∂</mo><msub><mi>T</mi><mi>φ</mi></msub></mrow><mrow><mo>∂</mo><mi>φ</mi></mrow></mfrac><mo>)</mo></mrow><mo>⊤</mo></msup><msub><mo>∇</mo><mi>z</mi></msub><mo>[</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><mi>z</mi><mo>)</mo><mo>−</mo><mi>ln</mi><msub><mi>q</mi><mover><mi>φ</mi><mo>¯</mo></mover></msub><mo>(</mo><mi>z</mi><mo>)</mo><mo>]</mo></math>"#,
        },
        "score" => Explanation {
            title: "Score-function gradient",
            text: "REINFORCE: it needs only ln p̃ and the score of q, not the target's gradient, at the cost of a much higher variance. \
                   A leave-one-out baseline over the S samples keeps it usable.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mo>≈</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munder><mo>∑</mo><mi>s</mi></munder><mo>(</mo><msub><mi>f</mi><mi>s</mi></msub><mo>−</mo><msub><mover><mi>f</mi><mo>¯</mo></mover><mrow><mo>−</mo><mi>s</mi></mrow></msub><mo>)</mo><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>,</mo><mspace width="1em"/><msub><mi>f</mi><mi>s</mi></msub><mo>=</mo><mi>ln</mi><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>−</mo><mi>ln</mi><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></math>"#,
        },
        "snis" => Explanation {
            title: "Importance sampling from q",
            text: "Draws of q, weighted by p̃/q and normalised, stand in for draws of p. \
                   When q is narrower than p the tails get no draws, and the estimate pulls q narrower still: biased at small S.",
            formula: r#"<math display="block"><msub><mi>w</mi><mi>s</mi></msub><mo>=</mo><mfrac><mrow><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>/</mo><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></mrow><mrow><msub><mo>∑</mo><mi>t</mi></msub><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>t</mi></msub><mo>)</mo><mo>/</mo><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>t</mi></msub><mo>)</mo></mrow></mfrac><mo>,</mo><mspace width="1em"/><mo>∇</mo><mo>≈</mo><mo>−</mo><munder><mo>∑</mo><mi>s</mi></munder><msub><mi>w</mi><mi>s</mi></msub><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></math>"#,
        },
        "snis-defensive" => Explanation {
            title: "Defensive importance sampling",
            text: "Half the draws come from q and half from q widened three times, so p's tails are always sampled. \
                   The weights use the mixture's density; the estimate stays sound while q is still too narrow.",
            formula: r#"<math display="block"><mi>r</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><mi>q</mi><mo>(</mo><mi>z</mi><mo>)</mo><mo>+</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msub><mi>q</mi><mn>3</mn></msub><mo>(</mo><mi>z</mi><mo>)</mo><mo>,</mo><mspace width="1em"/><msub><mi>w</mi><mi>s</mi></msub><mo>∝</mo><mfrac><mrow><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></mrow><mrow><mi>r</mi><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></mrow></mfrac></math>"#,
        },
        "draws" => Explanation {
            title: "Forward KL from MCMC draws",
            text: "The MCMC reference's draws are draws of p, so the gradient is a plain average of q's score over them. \
                   No weights, no bias from q's tails; it needs the reference run first.",
            formula: r#"<math display="block"><msub><mo>∇</mo><mi>φ</mi></msub><mi>KL</mi><mo>(</mo><mi>p</mi><mo>‖</mo><mi>q</mi><mo>)</mo><mo>≈</mo><mo>−</mo><mfrac><mn>1</mn><mi>S</mi></mfrac><munder><mo>∑</mo><mi>s</mi></munder><msub><mo>∇</mo><mi>φ</mi></msub><mi>ln</mi><msub><mi>q</mi><mi>φ</mi></msub><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo><mo>,</mo><mspace width="1em"/><msub><mi>z</mi><mi>s</mi></msub><mo>∼</mo><mi>p</mi></math>"#,
        },
        _ => return None,
    })
}

pub fn mcmc() -> Explanation {
    Explanation {
        title: "The MCMC reference: R̂ and ESS",
        text: "Four chains of NUTS (or random-walk Metropolis) sample p itself, so their averages converge to the truth; VI's moments are compared with them. \
               R̂ compares the chains with each other (near 1, flagged at 1.01 and above); the effective sample size says how many independent draws the correlated chain is worth.",
        formula: r#"<math display="block"><mover><mi>R</mi><mo>^</mo></mover><mo>=</mo><msqrt><mfrac><mrow><mfrac><mrow><mi>N</mi><mo>−</mo><mn>1</mn></mrow><mi>N</mi></mfrac><mi>W</mi><mo>+</mo><mfrac><mn>1</mn><mi>N</mi></mfrac><mi>B</mi></mrow><mi>W</mi></mfrac></msqrt><mo>,</mo><mspace width="1em"/><mi>ESS</mi><mo>=</mo><mfrac><mrow><mi>M</mi><mi>N</mi></mrow><mrow><mn>1</mn><mo>+</mo><mn>2</mn><msub><mo>∑</mo><mrow><mi>t</mi><mo>≥</mo><mn>1</mn></mrow></msub><msub><mi>ρ</mi><mi>t</mi></msub></mrow></mfrac></math>"#,
    }
}

pub fn diagnostics() -> Explanation {
    Explanation {
        title: "Exact KLs and PSIS k̂",
        text: "Both KLs are computed exactly, by quadrature on a grid and adaptive cubature, not estimated from samples. \
               k̂ is the Pareto tail index of the weights p̃/q (Vehtari et al.): below 0.5 q is a good proposal for p; from min(1 − 1/log₁₀ S, 0.7), 0.67 for the 1000 draws used here, it misses part of p; usable between.",
        formula: r#"<math display="block"><msub><mi>w</mi><mi>s</mi></msub><mo>=</mo><mfrac><mrow><mover><mi>p</mi><mo>~</mo></mover><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></mrow><mrow><mi>q</mi><mo>(</mo><msub><mi>z</mi><mi>s</mi></msub><mo>)</mo></mrow></mfrac><mo>,</mo><mspace width="1em"/><msub><mi>z</mi><mi>s</mi></msub><mo>∼</mo><mi>q</mi><mo>,</mo><mspace width="1em"/><mover><mi>k</mi><mo>^</mo></mover><mo>&lt;</mo><mi>min</mi><mo>(</mo><mn>1</mn><mo>−</mo><mn>1</mn><mo>/</mo><msub><mi>log</mi><mn>10</mn></msub><mi>S</mi><mo>,</mo><mn>0.7</mn><mo>)</mo></math>"#,
    }
}

/// A few guided lessons; each `query` is a link (see [`crate::link`]).
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "overconfident",
        title: "Why is mean-field overconfident?",
        query: "target=correlated&family=mean-field&div=reverse&seed=1&play=1&speed=100",
        look_for: "The orange ellipse settles inside the blue one, round where p is long. \
                   Reverse KL gives each sd √(1 − ρ²) = 0.44 instead of 1; run MCMC and the bias table flags both sds as too small.",
    },
    Lesson {
        id: "modes",
        title: "Mode-seeking against mass-covering (PRML Fig. 10.3)",
        query: "target=bimodal&family=full-rank&div=reverse&sched=constant&seed=3&play=1&speed=100&compare=1&family2=full-rank&div2=forward",
        look_for: "A (reverse KL) sits on one mode with KL(q‖p) near ln 2 = 0.69; B (forward KL) stretches over both modes and has the smaller KL(p‖q). \
                   With seed 5, reverse KL stops instead at a broad q between the modes: a second local optimum at KL 1.34 (at this constant learning rate the readout hovers a few hundredths above it).",
    },
    Lesson {
        id: "prml-10-2",
        title: "Reverse against forward KL (PRML Fig. 10.2)",
        query: "target=correlated&family=mean-field&div=reverse&seed=3&play=1&speed=100&compare=1&family2=mean-field&div2=forward",
        look_for: "Both fits are mean-field. Reverse KL (A) is too narrow, variance 1 − ρ² = 0.19; forward KL (B) matches the true marginals, variance 1, and covers the corners p never visits.",
    },
    Lesson {
        id: "full-rank",
        title: "Mean-field against full-rank",
        query: "target=correlated&family=mean-field&div=reverse&seed=4&play=1&speed=100&compare=1&family2=full-rank&div2=reverse",
        look_for: "The full-rank fit (B) tilts its ellipse onto p and drives KL(q‖p) to zero; mean-field (A) stays at −½ ln(1 − ρ²) = 0.83. \
                   The missing correlation is all the difference.",
    },
    Lesson {
        id: "flow",
        title: "What a flow buys you",
        query: "target=banana&family=flow&div=reverse&est=stl&seed=1&play=1&speed=100",
        look_for: "The flow's contours bend along the banana and the ELBO climbs nearly to ln Z, where a Gaussian stops about 0.6 nats short. \
                   Switch the family (f) to compare.",
    },
    Lesson {
        id: "diverge",
        title: "When the learning rate is too high",
        query: "target=banana&family=full-rank&lr=50&sched=constant&seed=1&play=1&speed=10",
        look_for: "With a learning rate of 50 the fit soon produces a non-finite value and the page pauses. Look at q just before: its widths have collapsed to nothing, so no learning rate could go on from there. \
                   Restart at a tenth (5): it survives but still collapses. A hundredth (0.5) fits, jittering; the default 0.05 fits best.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::divergence::{Divergence, Estimator, ForwardSource};

    /// Every explanation the page can show, from the engine's registries: a new target, family,
    /// divergence or estimator without one fails here.
    fn all() -> Vec<Explanation> {
        let known = |e: Option<Explanation>, name: &str| e.unwrap_or_else(|| panic!("no explanation of {name}"));
        let mut v: Vec<Explanation> = Vec::new();
        v.extend(crate::engine::target::TARGETS.iter().map(|t| known(target(t.name), t.name)));
        v.extend(crate::engine::family::FAMILIES.iter().map(|f| known(family(f.name), f.name)));
        v.extend(Divergence::ALL.iter().map(|d| known(divergence(d.name()), d.name())));
        v.extend(Estimator::ALL.iter().map(|e| known(estimator(e.name()), e.name())));
        v.extend(ForwardSource::ALL.iter().map(|f| known(estimator(f.name()), f.name())));
        v.push(mcmc());
        v.push(diagnostics());
        v
    }

    /// The element names of `mathml` in order, opening as `name` and closing as `/name`
    /// (self-closing elements give neither).
    fn tags(mathml: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = mathml;
        while let Some(i) = rest.find('<') {
            let j = rest[i..].find('>').expect("every tag closes") + i;
            let tag = &rest[i + 1..j];
            if !tag.ends_with('/') {
                out.push(tag.split_whitespace().next().unwrap().to_string());
            }
            rest = &rest[j + 1..];
        }
        out
    }

    #[test]
    fn every_formula_is_balanced_presentation_mathml() {
        const ALLOWED: &[&str] = &[
            "math",
            "mi",
            "mo",
            "mn",
            "mrow",
            "msub",
            "msup",
            "msubsup",
            "mfrac",
            "msqrt",
            "munder",
            "mover",
            "munderover",
            "mtext",
            "mtable",
            "mtr",
            "mtd",
        ];
        let balanced = |title: &str, mathml: &str| {
            assert!(!mathml.contains("<script"), "{title}");
            let mut stack = Vec::new();
            for t in tags(mathml) {
                match t.strip_prefix('/') {
                    Some(name) => assert_eq!(stack.pop().as_deref(), Some(name), "{title}: </{name}> closes"),
                    None => {
                        assert!(ALLOWED.contains(&t.as_str()), "{title}: <{t}>");
                        stack.push(t);
                    }
                }
            }
            assert!(stack.is_empty(), "{title}: unclosed {stack:?}");
        };
        for e in all() {
            assert!(e.formula.starts_with("<math display=\"block\">") && e.formula.ends_with("</math>"), "{}", e.title);
            balanced(e.title, e.formula);
            for piece in e.formula_pieces() {
                assert!(piece.starts_with("<math display=\"block\"") && piece.ends_with("</math>"), "{}", e.title);
                balanced(e.title, &piece);
            }
            assert!(!e.text.is_empty() && !e.text.contains('<'), "{}", e.title);
        }
    }

    /// The text inside a `<math …>` element.
    fn body(piece: &str) -> &str {
        let start = piece.find('>').unwrap() + 1;
        &piece[start..piece.len() - "</math>".len()]
    }

    #[test]
    fn formula_pieces_lose_nothing_but_the_wide_spaces() {
        for e in all() {
            let pieces = e.formula_pieces();
            let joined: String = pieces.iter().map(|p| body(p)).collect();
            let inner = body(e.formula).replace(super::WIDE_SPACE, "");
            assert_eq!(joined, inner, "{}", e.title);
            assert_eq!(
                pieces.iter().filter(|p| p.contains(r#"class="spaced""#)).count(),
                e.formula.matches(super::WIDE_SPACE).count(),
                "{}",
                e.title
            );
        }
    }

    #[test]
    fn formulas_break_at_clauses_and_between_terms_not_inside_brackets() {
        // The mean-field formula (the one seen clipped): its three clauses, the first also before
        // its sum's second term.
        let mean_field = family("mean-field").unwrap().formula_pieces();
        assert_eq!(mean_field.len(), 4, "{mean_field:?}");
        assert!(mean_field[0].ends_with("<mi>z</mi><mo>=</mo><mi>μ</mi></math>"), "{mean_field:?}");
        assert!(mean_field[1].contains(r#"class="continued"><mo>+</mo><mi>σ</mi>"#), "{mean_field:?}");
        // The mixture breaks before its second term, not inside "(1 − w)".
        let bimodal = target("bimodal").unwrap().formula_pieces();
        assert_eq!(bimodal.len(), 2, "{bimodal:?}");
        assert!(bimodal[1].starts_with(r#"<math display="block" class="continued"><mo>+</mo>"#), "{bimodal:?}");
        // The banana has neither a wide space nor a top-level sum: one piece.
        assert_eq!(target("banana").unwrap().formula_pieces().len(), 1);
    }

    #[test]
    fn the_gradient_in_use_always_has_an_explanation() {
        for &divergence in Divergence::ALL {
            for &estimator in Estimator::ALL {
                for &forward_source in ForwardSource::ALL {
                    let s =
                        crate::engine::fit::Settings { divergence, estimator, forward_source, ..Default::default() };
                    let e = super::estimator(s.gradient_name()).expect("an explanation");
                    let expected =
                        if divergence == Divergence::ReverseKl { estimator.name() } else { forward_source.name() };
                    assert_eq!(super::estimator(expected).unwrap().title, e.title);
                }
            }
        }
    }

    #[test]
    fn unknown_names_have_no_explanation() {
        let never = crate::engine::NEVER_A_NAME;
        assert!(target(never).is_none() && family(never).is_none());
        assert!(divergence(never).is_none() && estimator(never).is_none());
    }

    #[test]
    fn lessons_are_distinct_and_say_what_to_look_for() {
        for (i, l) in LESSONS.iter().enumerate() {
            assert!(LESSONS[..i].iter().all(|m| m.id != l.id && m.query != l.query), "{}", l.id);
            assert!(l.look_for.len() > 60 && l.query.contains("play=1"), "{}", l.id);
        }
    }
}
