//! The page's whole state as a link: one declarative table of settings and their URL keys, in the
//! spirit of tensorflow/playground's `state.ts`. Every key has a getter that writes it and a setter
//! that checks it; a value that is missing keeps its default, and one that is malformed or out of
//! range keeps its default *and* is reported, so no link can crash the page or silently mislead.
//!
//! Keys are applied in the table's order, not the query's, so `family=flow` (which brings the
//! flow's learning rate) comes before `lr=…` (which overrides it), whatever order a link has.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::divergence::{Divergence, Estimator, ForwardSource};
use crate::engine::family::{self, flow};
use crate::engine::fit::{LR_RANGE, MAX_SAMPLES};
use crate::engine::mcmc::SamplerKind;
use crate::engine::optim::Schedule;
use crate::engine::target;
use crate::playground::Controls;

/// Most steps a link may ask to replay (a flow replays about ten thousand a second in the page).
pub const MAX_LINK_STEP: u64 = 5_000_000;
/// The speeds the slider offers, in steps per frame.
pub const SPEEDS: [usize; 5] = [1, 10, 100, 1000, 10_000];

/// The second fit of the side-by-side view: same target, seed and estimator, its own family and
/// divergence (each with its default learning rate and sample count).
#[derive(Debug, Clone, PartialEq)]
pub struct Second {
    pub family: String,
    pub divergence: Divergence,
}

impl Default for Second {
    /// Reverse against forward KL with the same family: on the correlated Gaussian, Bishop's PRML
    /// Fig. 10.2; on the bimodal target, Fig. 10.3.
    fn default() -> Self {
        Second { family: "mean-field".into(), divergence: Divergence::ForwardKl }
    }
}

impl Second {
    /// The second fit's controls, derived from the first's.
    pub fn controls(&self, first: &Controls) -> Controls {
        first.with_family(&self.family).with_divergence(self.divergence)
    }
}

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

/// Everything a link holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageState {
    pub controls: Controls,
    /// Steps taken: a link replays them, so it opens on the same numbers.
    pub step: u64,
    pub playing: bool,
    pub sampler: SamplerKind,
    pub presenter: bool,
    pub compare: bool,
    pub second: Second,
    pub hidden: BTreeSet<Part>,
}

impl Default for SamplerKind {
    fn default() -> Self {
        SamplerKind::Nuts
    }
}

/// One row of the table: a URL key, what it means, and how to write and read it.
pub struct Key {
    pub name: &'static str,
    pub help: &'static str,
    get: fn(&PageState) -> String,
    set: fn(&mut PageState, &str) -> Result<(), String>,
}

impl Key {
    /// The key's value in `state`, as a link writes it.
    pub fn value(&self, state: &PageState) -> String {
        (self.get)(state)
    }
}

/// Every setting with its URL key, in the order a link is applied.
pub const KEYS: &[Key] = &[
    Key {
        name: "target",
        help: "the target posterior",
        get: |s| s.controls.settings.target.clone(),
        set: |s, v| {
            let t = target::find(v).map_err(|e| e.to_string())?;
            s.controls = s.controls.with_target(t.name);
            Ok(())
        },
    },
    Key {
        name: "param",
        help: "the target's parameter (b, w or ρ)",
        get: |s| s.controls.settings.target_param.to_string(),
        set: |s, v| {
            let p = target::find(&s.controls.settings.target).map_err(|e| e.to_string())?.param;
            s.controls.settings.target_param = number(v, p.min, p.max, &format!("the parameter {}", p.symbol))?;
            Ok(())
        },
    },
    Key {
        name: "family",
        help: "the variational family",
        get: |s| s.controls.settings.family.clone(),
        set: |s, v| {
            let f = family::find(v).map_err(|e| e.to_string())?;
            s.controls = s.controls.with_family(f.name);
            Ok(())
        },
    },
    Key {
        name: "depth",
        help: "the flow's coupling layers",
        get: |s| s.controls.settings.flow_depth.to_string(),
        set: |s, v| Ok(s.controls.settings.flow_depth = whole(v, 1, flow::MAX_DEPTH as u64, "the flow depth")? as usize),
    },
    Key {
        name: "width",
        help: "the flow's hidden units",
        get: |s| s.controls.settings.flow_width.to_string(),
        set: |s, v| Ok(s.controls.settings.flow_width = whole(v, 2, flow::MAX_WIDTH as u64, "the flow width")? as usize),
    },
    Key {
        name: "div",
        help: "the divergence",
        get: |s| s.controls.settings.divergence.name().into(),
        set: |s, v| {
            let d = Divergence::parse(v).map_err(|e| e.to_string())?;
            s.controls = s.controls.with_divergence(d);
            Ok(())
        },
    },
    Key {
        name: "est",
        help: "the reverse-KL gradient estimator",
        get: |s| s.controls.settings.estimator.name().into(),
        set: |s, v| Ok(s.controls.settings.estimator = Estimator::parse(v).map_err(|e| e.to_string())?),
    },
    Key {
        name: "fwd",
        help: "the forward-KL estimator",
        get: |s| s.controls.settings.forward_source.name().into(),
        set: |s, v| match ForwardSource::parse(v).map_err(|e| e.to_string())? {
            ForwardSource::Draws => Err("MCMC draws exist only after running MCMC in the page".into()),
            f => Ok(s.controls.settings.forward_source = f),
        },
    },
    Key {
        name: "samples",
        help: "Monte Carlo samples per step",
        get: |s| s.controls.settings.samples.to_string(),
        set: |s, v| Ok(s.controls.settings.samples = whole(v, 1, MAX_SAMPLES as u64, "the samples")? as usize),
    },
    Key {
        name: "lr",
        help: "Adam's learning rate",
        get: |s| s.controls.settings.lr.to_string(),
        set: |s, v| Ok(s.controls.settings.lr = number(v, LR_RANGE.0, LR_RANGE.1, "the learning rate")?),
    },
    Key {
        name: "sched",
        help: "the learning-rate schedule: decay (q settles) or constant (q jitters)",
        get: |s| s.controls.settings.schedule.name().into(),
        set: |s, v| Ok(s.controls.settings.schedule = Schedule::parse(v).map_err(|e| e.to_string())?),
    },
    Key {
        name: "seed",
        help: "the random seed",
        get: |s| s.controls.settings.seed.to_string(),
        set: |s, v| Ok(s.controls.settings.seed = whole(v, 0, u64::MAX, "the seed")?),
    },
    Key {
        name: "speed",
        help: "most steps per frame",
        get: |s| s.controls.steps_per_frame.to_string(),
        set: |s, v| match v.parse::<usize>() {
            Ok(n) if SPEEDS.contains(&n) => Ok(s.controls.steps_per_frame = n),
            _ => Err(format!("the speed must be one of {SPEEDS:?}")),
        },
    },
    Key {
        name: "step",
        help: "steps taken (replayed on opening)",
        get: |s| s.step.to_string(),
        set: |s, v| Ok(s.step = whole(v, 0, MAX_LINK_STEP, "the step")?),
    },
    Key {
        name: "play",
        help: "playing (1) or paused (0)",
        get: |s| flag(s.playing),
        set: |s, v| Ok(s.playing = boolean(v)?),
    },
    Key {
        name: "sampler",
        help: "the MCMC sampler",
        get: |s| s.sampler.name().into(),
        set: |s, v| Ok(s.sampler = SamplerKind::parse(v).map_err(|e| e.to_string())?),
    },
    Key {
        name: "compare",
        help: "two fits side by side (1) or one (0)",
        get: |s| flag(s.compare),
        set: |s, v| Ok(s.compare = boolean(v)?),
    },
    Key {
        name: "family2",
        help: "the second fit's family",
        get: |s| s.second.family.clone(),
        set: |s, v| Ok(s.second.family = family::find(v).map_err(|e| e.to_string())?.name.into()),
    },
    Key {
        name: "div2",
        help: "the second fit's divergence",
        get: |s| s.second.divergence.name().into(),
        set: |s, v| Ok(s.second.divergence = Divergence::parse(v).map_err(|e| e.to_string())?),
    },
    Key {
        name: "presenter",
        help: "presenter mode (1) or not (0)",
        get: |s| flag(s.presenter),
        set: |s, v| Ok(s.presenter = boolean(v)?),
    },
];

/// A link read back: the state, and a sentence for each part of it that was ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub state: PageState,
    pub ignored: Vec<String>,
}

impl Parsed {
    /// What the page says about a link it could not follow in full, or nothing.
    pub fn message(&self) -> Option<String> {
        (!self.ignored.is_empty())
            .then(|| format!("Some of the link was ignored and defaults used instead: {}.", self.ignored.join("; ")))
    }
}

/// Reads a query string (with or without its leading `?`). Never fails: what it cannot use, it
/// reports and replaces by the default.
pub fn parse(query: &str) -> Parsed {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut ignored = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        if values.insert(k.clone(), v).is_some() {
            ignored.push(format!("{} given twice (the last one is used)", shorten(&k)));
        }
    }
    let mut state = PageState::default();
    for key in KEYS {
        if let Some(v) = values.remove(key.name) {
            if let Err(why) = (key.set)(&mut state, v.trim()) {
                ignored.push(format!("{}={} ({why})", key.name, shorten(&v)));
            }
        }
    }
    for part in Part::ALL {
        let name = format!("{}_hide", part.name());
        if let Some(v) = values.remove(&name) {
            match boolean(v.trim()) {
                Ok(true) => {
                    state.hidden.insert(part);
                }
                Ok(false) => {}
                Err(why) => ignored.push(format!("{name}={} ({why})", shorten(&v))),
            }
        }
    }
    for k in values.keys() {
        ignored.push(format!("{} (not a setting)", shorten(k)));
    }
    Parsed { state, ignored }
}

/// Writes the whole state: every key of the table, and the parts that are hidden.
pub fn to_query(state: &PageState) -> String {
    let mut out: Vec<String> = KEYS.iter().map(|k| format!("{}={}", k.name, encode(&(k.get)(state)))).collect();
    out.extend(state.hidden.iter().map(|p| format!("{}_hide=1", p.name())));
    out.join("&")
}

fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.into()
}

fn boolean(v: &str) -> Result<bool, String> {
    match v {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err("must be 1 or 0".into()),
    }
}

fn number(v: &str, lo: f64, hi: f64, what: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
        _ => Err(format!("{what} must be a number from {lo} to {hi}")),
    }
}

fn whole(v: &str, lo: u64, hi: u64, what: &str) -> Result<u64, String> {
    match v.parse::<u64>() {
        Ok(x) if (lo..=hi).contains(&x) => Ok(x),
        _ => Err(format!("{what} must be a whole number from {lo} to {hi}")),
    }
}

/// At most 24 characters of a value, for a message.
fn shorten(v: &str) -> String {
    let mut s: String = v.chars().take(24).collect();
    if s.len() < v.len() {
        s.push('…');
    }
    s
}

/// Percent-encodes all but the unreserved characters of RFC 3986.
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` and `+`; a malformed escape is kept as it is, invalid UTF-8 becomes U+FFFD.
fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (bytes.get(i + 1).and_then(|&b| hex(b)), bytes.get(i + 2).and_then(|&b| hex(b))) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
