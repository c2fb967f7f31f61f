//! The page's whole state as a link, in the spirit of tensorflow/playground's `state.ts`. The
//! engine's settings come from its one settings table ([`crate::engine::settings`]: the fixed rows,
//! every target's inputs, every family's and objective's options), each under its row's link key
//! and checked by its row; the page's own keys (speed, step, side by side…) are the table [`KEYS`]
//! here. A value that is missing keeps its default, and one that is malformed or out of range
//! keeps its default *and* is reported, so no link can crash the page or silently mislead.
//!
//! Keys are applied in a fixed order, not the query's: target, family (which brings the flow's
//! learning rate), divergence (which brings its samples), then `lr=…` and the rest, which
//! override them, whatever order a link has. `param=` (links written before targets had named
//! inputs) is read as the target's first input.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::family;
use crate::engine::mcmc::SamplerKind;
use crate::engine::objective;
use crate::engine::run;
use crate::engine::settings::{Setting, FIXED, OBJECTIVE};
use crate::engine::target::{self, TARGETS};
use crate::playground::Controls;

mod part;

pub use part::Part;

/// Most steps a link may ask to replay (a flow replays about ten thousand a second in the page).
pub const MAX_LINK_STEP: u64 = 5_000_000;
/// The speeds the slider offers, in steps per frame.
pub const SPEEDS: [usize; 5] = [1, 10, 100, 1000, 10_000];

/// The second fit of the side-by-side view: same target, seed and options, its own family and
/// objective (each with its default learning rate and sample count).
#[derive(Debug, Clone, PartialEq)]
pub struct Second {
    pub family: String,
    pub objective: String,
}

impl Default for Second {
    /// Reverse against forward KL with the same family: on the correlated Gaussian, Bishop's PRML
    /// Fig. 10.2; on the bimodal target, Fig. 10.3.
    fn default() -> Self {
        Second { family: "mean-field".into(), objective: "forward".into() }
    }
}

impl Second {
    /// The second fit's controls, derived from the first's.
    pub fn controls(&self, first: &Controls) -> Controls {
        first.with_family(&self.family).with_objective(&self.objective)
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

/// The page's own keys (the engine's settings come from its table), in the order a link applies
/// them, after the settings.
pub const KEYS: &[Key] = &[
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
        get: |s| s.second.objective.clone(),
        set: |s, v| Ok(s.second.objective = objective::find(v).map_err(|e| e.to_string())?.name.into()),
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
    read_settings(&mut state.controls, &mut values, &mut ignored);
    for key in KEYS {
        if let Some(v) = values.remove(key.name) {
            if let Err(why) = (key.set)(&mut state, v.trim()) {
                ignored.push(format!("{}={} ({why})", key.name, shorten(&v)));
            }
        }
    }
    // Pane B's pair as pane A's: a divergence its family cannot take falls back in words.
    let b = &mut state.second;
    if let Some(why) = refusal(&b.family, &b.objective) {
        ignored.push(format!("div2={} ({why})", b.objective));
        b.objective = objective::OBJECTIVES[0].name.into();
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

/// Reads the engine's settings from `values` (removing what it reads), reporting what it ignores.
fn read_settings(c: &mut Controls, values: &mut BTreeMap<String, String>, ignored: &mut Vec<String>) {
    let mut ignore = |key: &str, v: &str, why: String| ignored.push(format!("{key}={} ({why})", shorten(v)));
    for row in run::all_rows() {
        let Some(v) = values.remove(row.url) else { continue };
        let v = v.trim();
        if let Err(why) = read_setting(c, row, v) {
            ignore(row.url, v, why);
        }
    }
    if let Some(v) = values.remove("param") {
        let first = target::find(&c.settings.target).ok().and_then(|t| t.inputs.first());
        match first.map(|row| c.settings.set_text(row, v.trim())) {
            Some(Ok(())) => {}
            Some(Err(why)) => ignore("param", &v, why.to_string()),
            None => ignore("param", &v, "the target has no parameter".into()),
        }
    }
    // A divergence none of whose gradients the family can take (IWAE with a mixture): the page
    // would have no fit to show. The engine's sentence, and the default divergence instead.
    let divergence = c.settings.objective.clone();
    if let Some(why) = refusal(&c.settings.family, &divergence) {
        if c.settings.set_text(&OBJECTIVE, objective::OBJECTIVES[0].name).is_ok() {
            ignore(OBJECTIVE.url, &divergence, why);
        }
    }
}

/// Why the divergence `objective` cannot run with `family` at all ([`objective::takes`]), if so.
fn refusal(family: &str, objective: &str) -> Option<String> {
    let (f, o) = (family::find(family).ok()?, objective::find(objective).ok()?);
    objective::takes(o, f).err().map(|e| e.to_string())
}

/// One setting from a link, by the engine's one way to set a row from text (which refuses an input
/// its target refuses); what only a link refuses besides: another target's input, and a gradient
/// that needs draws (a link has none).
fn read_setting(c: &mut Controls, row: &'static Setting, v: &str) -> Result<(), String> {
    let s = &mut c.settings;
    let is_input = TARGETS.iter().any(|t| t.inputs.iter().any(|i| i.key == row.key));
    if is_input && !s.rows().iter().any(|r| r.key == row.key) {
        return Err(format!("target {} has no input {}", s.target, row.url));
    }
    let draws = objective::OBJECTIVES.iter().filter(|o| o.gradient.key == row.key).flat_map(|o| o.gradients());
    let name = row.parse(v).map_or("", |x| x.name());
    if draws.into_iter().any(|g| g.needs_draws && g.name == name) {
        return Err("MCMC draws exist only after running MCMC in the page".into());
    }
    s.set_text(row, v).map_err(|e| e.to_string())
}

/// Every key a link can hold, in the order a link applies them: the settings table's rows,
/// `param` (links written before targets had named inputs), then the page's keys.
pub fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = run::all_rows().iter().map(|r| r.url).collect();
    keys.push("param");
    keys.extend(KEYS.iter().map(|k| k.name));
    keys
}

/// The value `key` has in `state`, as a link writes it (`None` for a key no link holds).
pub fn value(state: &PageState, key: &str) -> Option<String> {
    if key == "param" {
        let t = target::find(&state.controls.settings.target).ok()?;
        return t.inputs.first().map(|row| state.controls.settings.text(row));
    }
    match run::all_rows().into_iter().find(|r| r.url == key) {
        Some(row) => Some(state.controls.settings.text(row)),
        None => KEYS.iter().find(|k| k.name == key).map(|k| k.value(state)),
    }
}

/// Writes the whole state: the fixed settings, the rows in use and any other option set, the
/// page's keys, and the parts that are hidden.
pub fn to_query(state: &PageState) -> String {
    let mut out: Vec<String> = pairs(state).into_iter().map(|(k, v)| format!("{k}={}", encode(&v))).collect();
    out.extend(state.hidden.iter().map(|p| format!("{}_hide=1", p.name())));
    out.join("&")
}

/// Every key a link of `state` writes, with its value (unencoded), in the order of the link.
pub fn pairs(state: &PageState) -> Vec<(&'static str, String)> {
    let s = &state.controls.settings;
    let in_use = s.rows();
    let rows = run::all_rows();
    let written = rows.iter().filter(|row| {
        FIXED.iter().any(|f| f.key == row.key)
            || in_use.iter().any(|r| r.key == row.key)
            || s.options.keys().any(|k| k == row.key)
    });
    let mut out: Vec<(&'static str, String)> =
        written.map(|row| (row.url, state.controls.settings.text(row))).collect();
    out.extend(KEYS.iter().map(|k| (k.name, (k.get)(state))));
    out
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

/// Percent-encodes all but the unreserved characters of RFC 3986 and `:` and `,`, which a query may
/// hold as they are (RFC 3986 §3.4) and which data points are written with (`x:y,x:y`): 200
/// points take about 1.6 KB instead of 2.4 KB.
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:,".contains(&b) {
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
