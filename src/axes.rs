//! Axes and legends that fit the canvas they are drawn on: the tick values and labels for an axis
//! of a given length, the type size for a canvas of a given size, and legend rows that wrap
//! instead of running over the data. Pure (text is measured by a conservative estimate, not by the
//! browser), so the layout is tested natively over every size the page can produce.

/// Width of `text` in a sans-serif font of `font_px`, never less than the real width: each glyph
/// is taken at the widest it is in the common UI fonts (digits are 0.55–0.56 em in Arial,
/// Helvetica, Roboto and DejaVu Sans; DejaVu's are 0.64 em).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            '.' | ',' | ':' | ' ' | 'i' | 'l' | 'j' | '(' | ')' | '|' | '\'' => 0.36,
            '0'..='9' | '-' | '+' | '−' | 'k' | 'x' | 'y' | 'z' => 0.65,
            'M' | 'W' | 'm' | 'w' | '‖' => 0.95,
            c if c.is_uppercase() => 0.78,
            _ => 0.65,
        })
        .sum();
    em * font_px
}

/// Which way an axis runs: its tick labels sit side by side (horizontal) or one above another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Along {
    Horizontal,
    Vertical,
}

/// A tick: where it goes and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// Least free space between neighbouring tick labels, in font sizes: side by side a word space
/// and more, one above another half a line.
pub fn gap_em(along: Along) -> f64 {
    match along {
        Along::Horizontal => 1.0,
        Along::Vertical => 0.5,
    }
}
/// Height of a tick label's line, in font sizes.
pub const LINE_EM: f64 = 1.2;
/// More ticks than this only clutter a chart.
const MAX_TICKS: i64 = 10;

/// The most "nice" ticks (multiples of 1, 2 or 5 × 10ᵉ) on [lo, hi] whose labels fit an axis of
/// `length` pixels with labels of `font_px` pixels, none overlapping its neighbours. An axis too
/// short for two labels gets one or none: a chart without numbers, never numbers run together.
pub fn ticks((lo, hi): (f64, f64), length: f64, font_px: f64, along: Along) -> Vec<Tick> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi && length > 0.0 && font_px > 0.0) {
        return Vec::new();
    }
    let span = hi - lo;
    let top = libm::floor(libm::log10(span)) as i32;
    for e in (top - 4)..=(top + 1) {
        for mantissa in [1.0, 2.0, 5.0] {
            let step = mantissa * libm::pow(10.0, e as f64);
            let (first, last) = (libm::ceil(lo / step - 1e-9) as i64, libm::floor(hi / step + 1e-9) as i64);
            let count = last - first + 1;
            if !(1..=MAX_TICKS).contains(&count) {
                continue;
            }
            let scale = Scale::for_range(lo.abs().max(hi.abs()), step);
            let ticks: Vec<Tick> = (first..=last)
                .map(|k| {
                    let value = k as f64 * step;
                    Tick { value, label: scale.label(value, e) }
                })
                .collect();
            if fits(&ticks, step / span * length, font_px, along) {
                return ticks;
            }
        }
    }
    Vec::new()
}

/// The label of the tick at `value` (a chart library hands back the values it was given), or none.
pub fn label_at(ticks: &[Tick], value: f64) -> String {
    ticks
        .iter()
        .find(|t| (t.value - value).abs() <= 1e-9 * (1.0 + value.abs()))
        .map_or_else(String::new, |t| t.label.clone())
}

/// Whether neighbouring labels `spacing` pixels apart leave a gap of [`gap_em`] between them.
fn fits(ticks: &[Tick], spacing: f64, font_px: f64, along: Along) -> bool {
    let gap = gap_em(along) * font_px;
    ticks.windows(2).all(|w| match along {
        Along::Horizontal => {
            spacing >= (text_width(&w[0].label, font_px) + text_width(&w[1].label, font_px)) / 2.0 + gap
        }
        Along::Vertical => spacing >= LINE_EM * font_px + gap,
    })
}

/// Large values are written in thousands or millions ("20k", "1.5M"): a step count of 1 050 000
/// fits under its tick.
#[derive(Debug, Clone, Copy)]
enum Scale {
    One,
    Thousands,
    Millions,
}

impl Scale {
    fn for_range(largest: f64, step: f64) -> Scale {
        if largest >= 1e6 && step >= 1e5 {
            Scale::Millions
        } else if largest >= 1e4 && step >= 1e2 {
            Scale::Thousands
        } else {
            Scale::One
        }
    }

    /// The label of `value`, a multiple of a step of order 10^`e`.
    fn label(self, value: f64, e: i32) -> String {
        let (divisor, power, suffix) = match self {
            Scale::One => (1.0, 0, ""),
            Scale::Thousands => (1e3, 3, "k"),
            Scale::Millions => (1e6, 6, "M"),
        };
        let decimals = (power - e).max(0) as usize;
        if value == 0.0 {
            return "0".into(); // not "0.0M", nor "-0"
        }
        let v = value / divisor;
        format!("{v:.decimals$}{suffix}")
    }
}

/// The size of tick labels, in CSS pixels, on a canvas whose shorter side is `css_side` CSS
/// pixels: 11 px on a small chart, growing with the canvas to 16 px, so a chart projected large
/// has type to match. Presenter mode multiplies it.
pub fn label_px(css_side: f64) -> f64 {
    (css_side / 26.0).clamp(11.0, 16.0)
}

/// Length of a tick mark for labels of `font_px`. Labels sit two tick lengths from their axis, so
/// an x label's top (0.7 em below the axis) clears the lowest y label's bottom (0.6 em below it)
/// at the chart's corner.
pub fn tick_mark(font_px: f64) -> f64 {
    0.35 * font_px
}

/// Height of the room under a chart for its x tick labels and, with `desc_px`, the axis's name
/// (plotters draws the labels two tick lengths below the axis and the name at the room's bottom).
pub fn x_label_room(font_px: f64, desc_px: Option<f64>) -> f64 {
    let labels = 2.0 * tick_mark(font_px) + LINE_EM * font_px;
    labels + desc_px.map_or(0.2 * font_px, |d| 0.3 * font_px + LINE_EM * d)
}

/// Width of the room left of a chart for its y tick labels and, with `desc_px`, the axis's name
/// (turned on its side at the room's left edge).
pub fn y_label_room(ticks: &[Tick], font_px: f64, desc_px: Option<f64>) -> f64 {
    let widest = ticks.iter().map(|t| text_width(&t.label, font_px)).fold(0.0, f64::max);
    let labels = 2.0 * tick_mark(font_px) + widest;
    labels + desc_px.map_or(0.2 * font_px, |d| 0.4 * font_px + LINE_EM * d)
}

/// Greedy legend rows: the items (of the given widths, pixels) in order, as many to a row as fit
/// in `available` with `gap` between them. An item wider than a row gets a row of its own.
pub fn legend_rows(widths: &[f64], available: f64, gap: f64) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut used = 0.0;
    for (i, &w) in widths.iter().enumerate() {
        match rows.last_mut() {
            Some(row) if used + gap + w <= available => {
                row.push(i);
                used += gap + w;
            }
            _ => {
                rows.push(vec![i]);
                used = w;
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges the page's charts show: the targets' view boxes, ELBO and KL values, step counts
    /// from a few to millions, and odd spans.
    const RANGES: [(f64, f64); 12] = [
        (-3.0, 3.0),
        (-4.0, 4.0),
        (-3.5, 5.5),
        (-6.0, 6.0),
        (-35.2, 0.4),
        (-2.61, -2.38),
        (0.0, 0.11),
        (0.0, 55.0),
        (0.0, 11.0),
        (0.0, 3150.0),
        (0.0, 105_000.0),
        (0.0, 12_600_000.0),
    ];

    /// Every label's extent along the axis, in pixels.
    fn extents(ticks: &[Tick], (lo, hi): (f64, f64), length: f64, font: f64, along: Along) -> Vec<(f64, f64)> {
        ticks
            .iter()
            .map(|t| {
                let at = (t.value - lo) / (hi - lo) * length;
                let half = match along {
                    Along::Horizontal => text_width(&t.label, font) / 2.0,
                    Along::Vertical => LINE_EM * font / 2.0,
                };
                (at - half, at + half)
            })
            .collect()
    }

    #[test]
    fn labels_never_overlap_at_any_size_and_fill_a_large_axis() {
        for along in [Along::Horizontal, Along::Vertical] {
            for range in RANGES {
                for length in (40..=2400).step_by(7).map(f64::from) {
                    for font in [label_px(length), 11.0, 16.0, 1.6 * 16.0] {
                        let t = ticks(range, length, font, along);
                        let ext = extents(&t, range, length, font, along);
                        for w in ext.windows(2) {
                            assert!(
                                w[1].0 - w[0].1 >= gap_em(along) * font - 1e-9,
                                "{along:?} {range:?} at {length} px, font {font}: {:?}",
                                t.iter().map(|t| &t.label).collect::<Vec<_>>()
                            );
                        }
                        for tick in &t {
                            assert!(
                                tick.value >= range.0 - 1e-9 && tick.value <= range.1 + 1e-9,
                                "{tick:?} in {range:?}"
                            );
                            assert!(
                                !tick.label.starts_with("-0")
                                    || tick.label.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']),
                                "{tick:?}"
                            );
                        }
                        let labels: std::collections::HashSet<_> = t.iter().map(|t| &t.label).collect();
                        assert_eq!(labels.len(), t.len(), "distinct labels: {t:?}");
                        // An axis with room for four labels shows at least two.
                        if length >= 8.0 * text_width("-0.000", font) {
                            assert!(t.len() >= 2, "{along:?} {range:?} at {length} px, font {font}: {t:?}");
                        }
                        assert!(t.len() as i64 <= MAX_TICKS);
                    }
                }
            }
        }
    }

    #[test]
    fn ticks_are_nice_numbers_with_as_many_decimals_as_their_step() {
        let t = ticks((-3.0, 3.0), 600.0, 14.0, Along::Horizontal);
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["-3", "-2", "-1", "0", "1", "2", "3"]);
        // The crowded case the issue reported: 310 px with the old 16 px type ran "-3.0-2.0-1.0".
        let t = ticks((-3.0, 3.0), 160.0, 16.0, Along::Horizontal);
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["-2", "0", "2"]);
        let t = ticks((-2.61, -2.38), 300.0, 12.0, Along::Vertical);
        assert!(t.iter().all(|t| t.label.len() == 5 && t.label.starts_with("-2.")), "{t:?}");
        let t = ticks((0.0, 1_050_000.0), 400.0, 13.0, Along::Horizontal);
        assert!(t.iter().all(|t| t.label.ends_with('M') || t.label == "0"), "{t:?}");
        let t = ticks((0.0, 21_000.0), 400.0, 13.0, Along::Horizontal);
        assert!(t.iter().any(|t| t.label == "10k"), "{t:?}");
    }

    #[test]
    fn degenerate_ranges_give_no_ticks() {
        assert!(ticks((1.0, 1.0), 500.0, 12.0, Along::Horizontal).is_empty());
        assert!(ticks((f64::NAN, 1.0), 500.0, 12.0, Along::Horizontal).is_empty());
        assert!(ticks((0.0, f64::INFINITY), 500.0, 12.0, Along::Vertical).is_empty());
        assert!(ticks((0.0, 1.0), 0.0, 12.0, Along::Vertical).is_empty());
    }

    #[test]
    fn the_estimate_is_never_narrower_than_a_real_font() {
        // Arial's advance widths (units of the em): digits 0.556, minus 0.333 (U+2212: 0.584),
        // full stop 0.278, 'k' 0.5, 'M' 0.833, capitals up to 0.944 ('W').
        let arial = |c: char| match c {
            '0'..='9' => 0.556,
            '-' => 0.333,
            '.' => 0.278,
            'k' => 0.5,
            'M' => 0.833,
            _ => 0.7,
        };
        for s in ["-35.2", "0.0001", "1050000", "12.5k", "3M", "-0.25"] {
            let real: f64 = s.chars().map(arial).sum::<f64>() * 16.0;
            assert!(text_width(s, 16.0) >= real, "{s}");
        }
    }

    #[test]
    fn legend_rows_wrap_and_keep_order() {
        assert_eq!(legend_rows(&[50.0, 50.0, 50.0], 200.0, 10.0), vec![vec![0, 1, 2]]);
        assert_eq!(legend_rows(&[50.0, 50.0, 50.0], 120.0, 10.0), vec![vec![0, 1], vec![2]]);
        assert_eq!(legend_rows(&[300.0, 20.0], 120.0, 10.0), vec![vec![0], vec![1]]);
        assert!(legend_rows(&[], 100.0, 10.0).is_empty());
        for avail in [60.0, 150.0, 400.0] {
            let widths = [55.0, 90.0, 40.0, 120.0, 30.0];
            let rows = legend_rows(&widths, avail, 8.0);
            let flat: Vec<usize> = rows.iter().flatten().copied().collect();
            assert_eq!(flat, vec![0, 1, 2, 3, 4]);
            for row in rows {
                let w: f64 = row.iter().map(|&i| widths[i]).sum::<f64>() + 8.0 * (row.len() - 1) as f64;
                assert!(row.len() == 1 || w <= avail, "{row:?} at {avail}");
            }
        }
    }

    #[test]
    fn axis_names_sit_clear_of_the_tick_labels() {
        for font in [11.0, 14.0, 16.0, 20.0, 32.0] {
            for desc in [font, 1.15 * font] {
                // x: the labels' band ends where the name's band begins, or before.
                let room = x_label_room(font, Some(desc));
                let labels_end = 2.0 * tick_mark(font) + LINE_EM * font;
                assert!(room - LINE_EM * desc >= labels_end + 0.2 * font, "x at {font}");
                // y: likewise, across the room's width, for the widest label the page shows.
                let t = [Tick { value: -35.0, label: "-35.0".into() }, Tick { value: 0.0, label: "0".into() }];
                let room = y_label_room(&t, font, Some(desc));
                let labels_start = room - 2.0 * tick_mark(font) - text_width("-35.0", font);
                assert!(labels_start >= LINE_EM * desc + 0.2 * font, "y at {font}");
                // The corner: an x label's top is below the lowest y label's bottom.
                assert!(2.0 * tick_mark(font) > LINE_EM * font / 2.0);
            }
        }
    }

    #[test]
    fn type_grows_with_the_canvas_within_bounds() {
        assert_eq!(label_px(200.0), 11.0);
        assert_eq!(label_px(2000.0), 16.0);
        assert!(label_px(350.0) > 11.0 && label_px(350.0) < label_px(400.0));
    }
}
