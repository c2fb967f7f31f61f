//! What the page says about the current choices: two or three sentences and one formula each (as
//! presentation MathML, which browsers render natively), and guided lessons that set the controls
//! by a link and say what to look for. Definitions follow `shared/science.md`; the textbook results
//! are those of Bishop's PRML §10.1 and the papers named in the text.

use crate::engine::fit::Settings;
pub use crate::engine::registry::Explanation;

/// A formula cut where it may wrap.
pub trait FormulaPieces {
    /// The formula as pieces that may wrap like words, each its own `<math>`: cut at its wide
    /// spaces (`<mspace width="1em"/>`, which separate its clauses) and before a `+` or `−`
    /// between terms outside any bracket, where a typesetter breaks a long line. A piece after a
    /// wide space is marked `spaced`, one after an operator break `continued`; the style sheet
    /// puts the space back between them.
    fn formula_pieces(&self) -> Vec<String>;
}

impl FormulaPieces for Explanation {
    fn formula_pieces(&self) -> Vec<String> {
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

/// What the page explains about a run, from the registries' entries: the objective, the family,
/// the target and the gradient in use (names not known give none).
pub fn for_settings(s: &Settings) -> Vec<Explanation> {
    let mut out = Vec::new();
    if let Ok(o) = crate::engine::objective::find(&s.objective) {
        out.push(o.explain);
    }
    if let Ok(f) = crate::engine::family::find(&s.family) {
        out.push(f.explain);
    }
    if let Ok(t) = crate::engine::target::find(&s.target) {
        out.push(t.explain);
    }
    if let Ok(e) = s.entries() {
        out.push(e.gradient.explain);
    }
    out
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
        title: "Exact KLs, the ln Z sandwich and PSIS k̂",
        text: "Both KLs are computed exactly, by quadrature on a grid and adaptive cubature, not estimated from samples. \
               The sandwich: for every q, ELBO ≤ ln Z ≤ CUBO₂ = ½ ln E_q[(p̃/q)²], so the two estimates (blue and green on the chart) bracket ln Z even where nobody knows it. \
               CUBO₂ is infinite (∞) when q's tails are lighter than p's, as every Gaussian's are on the banana. \
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

/// The gallery: one click to a lesson of the second wave's shapes (target, family, objective and
/// seed in the link), each with what to look for.
pub const GALLERY: &[Lesson] = &[
    Lesson {
        id: "ring",
        title: "A ring: one mode or the hole",
        query: "target=ring&modes=8&family=full-rank&div=reverse&seed=1&play=1&speed=100&compare=1&family2=full-rank&div2=forward",
        look_for: "A (reverse KL) settles on one stretch of the ring, two neighbouring modes and the gap between them: KL(q‖p) about 1.94, \
                   a little below the ln 8 = 2.08 of sitting on one mode. B (forward KL) becomes a wide round Gaussian over the whole ring, hole and all: its sd is √(0.35² + 2.5²/2) = 1.80.",
    },
    Lesson {
        id: "funnel",
        title: "Neal's funnel: where NUTS diverges",
        query: "target=funnel&tau=3&family=full-rank&div=reverse&seed=1&play=1&speed=100",
        look_for: "At Neal's τ = 3 the neck is 0.011 wide and the mouth 90: the Gaussian cuts both short. \
                   Run MCMC: NUTS diverges in the neck and the panel says it cannot be trusted. Lower τ to 1 and both recover.",
    },
    Lesson {
        id: "donut",
        title: "A donut: a flow bends, a Gaussian cannot",
        query: "target=donut&r=2&family=flow&div=reverse&seed=3&play=1&speed=100&compare=1&family2=full-rank&div2=reverse",
        look_for: "A (the flow) wraps its mass around the ridge; B (a Gaussian) sits on one arc of it. Compare their KL(q‖p).",
    },
    Lesson {
        id: "squiggle",
        title: "The squiggle: mean-field against a flow",
        query: "target=squiggle&omega=2&family=mean-field&div=reverse&seed=1&play=1&speed=100&compare=1&family2=flow&div2=reverse",
        look_for: "A (mean-field) blurs the wave into an ellipse; B (the flow) follows the sine. Raise ω and watch the flow need more layers.",
    },
    Lesson {
        id: "u3",
        title: "Rezende & Mohamed's U3: tearing mass in two",
        query: "target=u3&family=flow&div=reverse&seed=1&play=1&speed=100",
        look_for: "Two branches of a wave split near x = 1: the flow has to tear its mass in two, and keeps a thin bridge between them.",
    },
    Lesson {
        id: "logistic",
        title: "Your data: a skewed, correlated posterior",
        query: "target=logistic&family=mean-field&div=reverse&seed=1&play=1&speed=100&compare=1&family2=full-rank&div2=reverse",
        look_for: "Nine points give a posterior over intercept α and slope β that leans (correlation −0.83): A (mean-field) cannot lean with it and is too narrow; B (full-rank) can. \
                   Click points into the data panel and watch both follow.",
    },
    Lesson {
        id: "mixture-ring",
        title: "A mixture covers every mode",
        query: "target=ring&modes=6&family=mixture&k=6&div=reverse&seed=2&play=1&speed=100&compare=1&family2=full-rank&div2=reverse",
        look_for: "Reverse KL is mode-seeking, but only within what q can be. A (six Gaussians, started apart) puts one component on each mode of the ring, weight ⅙ each, and KL(q‖p) falls below 0.01; \
                   B (one Gaussian) can only take one stretch of it. Lower K to 3 and watch components share modes.",
    },
    Lesson {
        id: "renyi-dial",
        title: "Rényi α: from one mode to both, and the ln Z sandwich",
        query: "target=bimodal&family=mean-field&div=renyi&alpha=-1&samples=64&seed=2&play=1&speed=100&compare=1&family2=mean-field&div2=reverse",
        look_for: "A minimises the χ² upper bound CUBO₂ (α = −1) and spans both modes, wider than p; B maximises the ELBO and sits on one. \
                   Slide α up to 2 and watch A let go of a mode (above about 0.5 it sits on one). On the chart the green CUBO₂ stays above the dashed ln Z and the blue ELBO below: ln Z is bracketed.",
    },
    Lesson {
        id: "iwae",
        title: "IWAE: a tighter bound, a wider q",
        query: "target=banana&family=full-rank&div=iwae&iwk=64&seed=1&play=1&speed=100&compare=1&family2=full-rank&div2=reverse",
        look_for: "Both fit a full-rank Gaussian. B maximises the ELBO; A maximises IWAE's bound L_64, which importance weighting lifts close to ln Z, so A's q spreads wider: \
                   it becomes a good proposal, not the closest Gaussian. Compare: L_K above B's ELBO, both below ln Z.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::family::FAMILIES;
    use crate::engine::objective::OBJECTIVES;
    use crate::engine::target::TARGETS;

    /// Every explanation the page can show, from the engine's registries.
    fn all() -> Vec<Explanation> {
        let mut v: Vec<Explanation> = Vec::new();
        v.extend(TARGETS.iter().map(|t| t.explain));
        v.extend(FAMILIES.iter().map(|f| f.explain));
        v.extend(OBJECTIVES.iter().map(|o| o.explain));
        v.extend(OBJECTIVES.iter().flat_map(|o| o.gradients().iter().map(|g| g.explain)));
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
        let mean_field = crate::engine::family::find("mean-field").unwrap().explain.formula_pieces();
        assert_eq!(mean_field.len(), 4, "{mean_field:?}");
        assert!(mean_field[0].ends_with("<mi>z</mi><mo>=</mo><mi>μ</mi></math>"), "{mean_field:?}");
        assert!(mean_field[1].contains(r#"class="continued"><mo>+</mo><mi>σ</mi>"#), "{mean_field:?}");
        // The mixture breaks before its second term, not inside "(1 − w)".
        let bimodal = crate::engine::target::find("bimodal").unwrap().explain.formula_pieces();
        assert_eq!(bimodal.len(), 2, "{bimodal:?}");
        assert!(bimodal[1].starts_with(r#"<math display="block" class="continued"><mo>+</mo>"#), "{bimodal:?}");
        // The banana has neither a wide space nor a top-level sum: one piece.
        assert_eq!(crate::engine::target::find("banana").unwrap().explain.formula_pieces().len(), 1);
    }

    #[test]
    fn every_run_explains_its_objective_family_target_and_gradient() {
        for o in OBJECTIVES {
            for g in o.gradients() {
                let mut s = Settings { objective: o.name.into(), ..Default::default() };
                s.options.set(&o.gradient, crate::engine::settings::Value::Name(g.name));
                let e = for_settings(&s);
                assert_eq!(e.len(), 4);
                assert_eq!((e[0], e[3]), (o.explain, g.explain));
            }
        }
        let never = Settings { target: crate::engine::NEVER_A_NAME.into(), ..Default::default() };
        assert_eq!(for_settings(&never).len(), 2, "an unknown target has no explanation, nor a gradient");
    }

    #[test]
    fn lessons_are_distinct_and_say_what_to_look_for() {
        for (i, l) in LESSONS.iter().enumerate() {
            assert!(LESSONS[..i].iter().all(|m| m.id != l.id && m.query != l.query), "{}", l.id);
            assert!(l.look_for.len() > 60 && l.query.contains("play=1"), "{}", l.id);
        }
    }
}
