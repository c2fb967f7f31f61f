//! The ELBO chart: above, the objective's estimates (the ELBO, L_α or L_K) and their running
//! average against the step, with the exact ln Z as a dashed line (the gap between an ELBO and it
//! is KL(q‖p)) and, for one fit, the ln Z sandwich: the ELBO's and CUBO₂'s estimates at each
//! refresh, below and above the line (science.md, "The ln Z sandwich"); below, the exact KL(q‖p)
//! and KL(p‖q). Each half has its legend above its data, wrapped to the chart's width.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::{axes, err, fit_to_display, header, rgb, Area, Chart, Key, YAxis};
use crate::palette;
use crate::playground::Trace;
use crate::playground::Traces;

/// A fit's lines: its traces, name ("A" or "B") and caption; pane `i` is drawn in q's colour there.
pub struct Lines<'a> {
    pub traces: &'a Traces,
    pub name: &'static str,
    pub label: String,
    pub pane: usize,
    /// What its estimates bound: "ELBO", "L_α", "L_K".
    pub bound: &'static str,
}

/// Draws the chart of one fit's lines or two, against the exact `log_z`.
pub fn draw(
    canvas: web_sys::HtmlCanvasElement,
    fits: &[Lines],
    log_z: Option<f64>,
    presenter: bool,
) -> Result<(), String> {
    let display = fit_to_display(&canvas, (480, 480), presenter);
    let weight: f64 = if presenter { 1.6 } else { 1.0 };
    let line = |v: f64| (v * display.dpr * weight).round() as u32;
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, bottom) = root.split_vertically((root.dim_in_pixel().1 as f64 * 0.55) as u32);
    draw_charts(&top, &bottom, fits, log_z, display.font, line)?;
    root.present().map_err(err)
}

fn key(label: impl Into<String>, colour: RGBColor, dashed: bool) -> Key {
    Key { label: label.into(), colour, dashed }
}

fn draw_charts(
    top: &Area,
    bottom: &Area,
    fits: &[Lines],
    log_z: Option<f64>,
    font: f64,
    line: impl Fn(f64) -> u32,
) -> Result<(), String> {
    let compare = fits.len() > 1;
    let last = fits
        .iter()
        .flat_map(|f| [&f.traces.elbo, &f.traces.elbo_avg, &f.traces.kl_qp])
        .filter_map(|tr| tr.points().last().map(|p| p.0))
        .max()
        .unwrap_or(0);
    let x_max = (last.max(10) as f64 * 1.05).ceil();

    // ELBO: focus on the running averages and ln Z; single estimates may fall off the bottom.
    let ranges = fits.iter().filter_map(|f| f.traces.elbo_avg.range());
    let (mut lo, mut hi) = ranges.reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))).unwrap_or((-5.0, 0.0));
    if let Some(z) = log_z {
        hi = hi.max(z);
        lo = lo.min(z - 0.5);
        // The sandwich's upper bound, as far above ln Z as the lower reaches below (CUBO₂ is
        // infinite for many q, and its estimate can be far above: it leaves the chart at the top).
        if !compare {
            // The ELBO's estimate is drawn too when the objective's own bound is another (L_α, L_K).
            if fits[0].bound != "ELBO" {
                if let Some((bottom, _)) = fits[0].traces.elbo_estimate.range() {
                    lo = lo.min(bottom);
                }
            }
            if let Some((_, top)) = fits[0].traces.cubo2_estimate.range() {
                hi = hi.max(top.min(z + (z - lo).max(1.0)));
            }
        }
    }
    lo = lo.max(hi - 30.0);
    let pad = ((hi - lo) * 0.1).max(0.05);
    let mut keys = Vec::new();
    if compare {
        keys.extend(fits.iter().map(|f| key(f.label.clone(), rgb(palette::Q[f.pane]), false)));
    } else {
        let bound = fits[0].bound;
        keys.push(key(format!("{bound} estimate"), rgb(palette::Q_LIGHT), false));
        keys.push(key(format!("{bound}, running average"), rgb(palette::Q[0]), false));
        if bound != "ELBO" {
            keys.push(key("ELBO", rgb(palette::LOWER), false));
        }
        keys.push(key("CUBO₂", rgb(palette::UPPER), false));
    }
    if log_z.is_some() {
        keys.push(key("ln Z (exact)", BLACK, true));
    }
    let body = header(top, font, &keys)?;
    let Some(mut chart) = axes(&body, (0.0..x_max, (lo - pad)..(hi + pad)), font, None, YAxis::Labelled(Some("ELBO")))?
    else {
        return Ok(());
    };
    for f in fits {
        if !compare {
            series(&mut chart, &f.traces.elbo, ShapeStyle::from(rgb(palette::Q_LIGHT)).stroke_width(line(1.0)))?;
            if f.bound != "ELBO" {
                let style = ShapeStyle::from(rgb(palette::LOWER)).stroke_width(line(2.0));
                series(&mut chart, &f.traces.elbo_estimate, style)?;
            }
            series(
                &mut chart,
                &f.traces.cubo2_estimate,
                ShapeStyle::from(rgb(palette::UPPER)).stroke_width(line(2.0)),
            )?;
        }
        series(&mut chart, &f.traces.elbo_avg, ShapeStyle::from(rgb(palette::Q[f.pane])).stroke_width(line(2.5)))?;
    }
    if let Some(z) = log_z {
        let dash = (0.6 * font) as u32;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, z), (x_max, z)],
                dash,
                dash * 2 / 3,
                ShapeStyle::from(&BLACK).stroke_width(line(1.5)),
            ))
            .map_err(err)?;
    }

    // KLs: one fit in two colours; two fits in their own colours, KL(p‖q) dashed.
    let kl_hi = fits
        .iter()
        .flat_map(|f| [&f.traces.kl_qp, &f.traces.kl_pq])
        .filter_map(|tr| tr.range())
        .map(|r| r.1)
        .fold(0.1f64, f64::max)
        .min(50.0);
    let keys: Vec<Key> = if compare {
        // Colour says which fit, the dash which KL: three entries, not four.
        let mut keys: Vec<Key> =
            fits.iter().map(|f| key(format!("{}: KL(q‖p)", f.name), rgb(palette::Q[f.pane]), false)).collect();
        keys.push(key("KL(p‖q) dashed", BLACK, true));
        keys
    } else {
        vec![key("KL(q‖p)", rgb(palette::Q[0]), false), key("KL(p‖q)", rgb(palette::TARGET), false)]
    };
    let body = header(bottom, font, &keys)?;
    let Some(mut kl) =
        axes(&body, (0.0..x_max, 0.0..kl_hi * 1.1), font, Some("step"), YAxis::Labelled(Some("exact KL")))?
    else {
        return Ok(());
    };
    for f in fits {
        if compare {
            series(&mut kl, &f.traces.kl_qp, ShapeStyle::from(rgb(palette::Q[f.pane])).stroke_width(line(2.5)))?;
            let dash = (0.45 * font) as u32;
            dashed(&mut kl, &f.traces.kl_pq, ShapeStyle::from(rgb(palette::Q[f.pane])).stroke_width(line(2.0)), dash)?;
        } else {
            series(&mut kl, &f.traces.kl_qp, ShapeStyle::from(rgb(palette::Q[0])).stroke_width(line(2.5)))?;
            series(&mut kl, &f.traces.kl_pq, ShapeStyle::from(rgb(palette::TARGET)).stroke_width(line(2.5)))?;
        }
    }
    Ok(())
}

/// The trace's finite points, with values clamped to a little beyond the chart's y range: a fit
/// blowing up can leave values of 1e8 and more, which plotters would otherwise walk pixel by pixel
/// (a dashed line) or lose in f32 rounding.
fn finite_points(trace: &Trace, y: std::ops::Range<f64>) -> Vec<(f64, f64)> {
    let margin = y.end - y.start;
    let (lo, hi) = (y.start - margin, y.end + margin);
    trace.points().iter().filter(|p| p.1.is_finite()).map(|&(s, v)| (s as f64, v.clamp(lo, hi))).collect()
}

fn dashed(chart: &mut Chart, trace: &Trace, style: ShapeStyle, dash: u32) -> Result<(), String> {
    let points = finite_points(trace, chart.y_range());
    chart.draw_series(DashedLineSeries::new(points, dash, dash, style)).map_err(err)?;
    Ok(())
}

fn series(chart: &mut Chart, trace: &Trace, style: ShapeStyle) -> Result<(), String> {
    chart.draw_series(LineSeries::new(finite_points(trace, chart.y_range()), style)).map_err(err)?;
    Ok(())
}
