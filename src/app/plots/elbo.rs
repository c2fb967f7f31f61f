//! The ELBO chart: above, the ELBO estimates and their running average against the step with the
//! exact ln Z as a dashed line (the gap between them is KL(q‖p)); below, the exact KL(q‖p) and
//! KL(p‖q).

use leptos::prelude::{GetUntracked, GetValue, WithValue};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::{err, fit_to_display};
use crate::app::live::{Live, Traces, PANE_NAMES};
use crate::playground::Trace;

const Q_ORANGE: RGBColor = RGBColor(213, 94, 0);
const LIGHT_ORANGE: RGBColor = RGBColor(244, 165, 130);
const BLUE: RGBColor = RGBColor(33, 113, 181);
const PURPLE: RGBColor = RGBColor(204, 121, 167);

/// A fit's lines: its label and colour (one fit: the usual orange; two: orange and purple).
struct Lines<'a> {
    traces: &'a Traces,
    label: String,
    colour: RGBColor,
}

pub fn draw(live: Live) -> Result<(), String> {
    let Some(canvas) = live.elbo_canvas.get_value() else { return Ok(()) };
    let dpr = fit_to_display(&canvas, (480, 420), true);
    let weight: f64 = if live.presenter.get_untracked() { 1.6 } else { 1.0 };
    let px = |v: f64| (v * dpr * weight.sqrt()).round() as u32;
    let line = |v: f64| (v * dpr * weight).round() as u32;
    let log_z = live.first().exact.get_untracked().map(|e| e.log_z);
    let compare = live.active().len() > 1;
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, bottom) = root.split_vertically((root.dim_in_pixel().1 as f64 * 0.55) as u32);
    let first = live.panes[0].traces;
    let second = live.panes[1].traces;
    first.with_value(|t0| {
        second.with_value(|t1| -> Result<(), String> {
            let mut fits = vec![Lines { traces: t0, label: pane_label(live, 0), colour: Q_ORANGE }];
            if compare {
                fits.push(Lines { traces: t1, label: pane_label(live, 1), colour: PURPLE });
            }
            draw_charts(&top, &bottom, &fits, log_z, compare, px, line)
        })
    })?;
    root.present().map_err(err)
}

/// "A: mean-field, reverse KL" in the side-by-side view.
fn pane_label(live: Live, i: usize) -> String {
    let (family, divergence) = live.choice(i);
    format!("{}: {family}, {}", PANE_NAMES[i], divergence.name())
}

type Area = DrawingArea<CanvasBackend, Shift>;

fn draw_charts(
    top: &Area,
    bottom: &Area,
    fits: &[Lines],
    log_z: Option<f64>,
    compare: bool,
    px: impl Fn(f64) -> u32,
    line: impl Fn(f64) -> u32,
) -> Result<(), String> {
    let last = fits
        .iter()
        .flat_map(|f| [&f.traces.elbo, &f.traces.elbo_avg, &f.traces.kl_qp])
        .filter_map(|tr| tr.points().last().map(|p| p.0))
        .max()
        .unwrap_or(0);
    let x_max = (last.max(10) as f64 * 1.05).ceil();
    let font = ("sans-serif", px(14.0)).into_font().color(&BLACK);

    // ELBO: focus on the running averages and ln Z; single estimates may fall off the bottom.
    let ranges = fits.iter().filter_map(|f| f.traces.elbo_avg.range());
    let (mut lo, mut hi) = ranges.reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))).unwrap_or((-5.0, 0.0));
    if let Some(z) = log_z {
        hi = hi.max(z);
        lo = lo.min(z - 0.5);
    }
    lo = lo.max(hi - 30.0);
    let pad = ((hi - lo) * 0.1).max(0.05);
    let mut chart = ChartBuilder::on(top)
        .margin(px(8.0))
        .x_label_area_size(px(28.0))
        .y_label_area_size(px(52.0))
        .caption("ELBO", ("sans-serif", px(17.0)).into_font())
        .build_cartesian_2d(0f64..x_max, (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_labels(4)
        .y_labels(5)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style(font.clone())
        .draw()
        .map_err(err)?;
    for f in fits {
        if !compare {
            series(&mut chart, &f.traces.elbo, ShapeStyle::from(&LIGHT_ORANGE).stroke_width(line(1.0)), "estimate")?;
        }
        let label = if compare { f.label.clone() } else { "running average".into() };
        series(&mut chart, &f.traces.elbo_avg, ShapeStyle::from(&f.colour).stroke_width(line(2.5)), &label)?;
    }
    if let Some(z) = log_z {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, z), (x_max, z)],
                px(8.0),
                px(5.0),
                ShapeStyle::from(&BLACK).stroke_width(line(1.5)),
            ))
            .map_err(err)?
            .label("ln Z (exact)")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK));
    }
    chart
        .configure_series_labels()
        .label_font(font.clone())
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;

    // KLs: one fit in two colours; two fits in their own colours, KL(p‖q) dashed.
    let kl_hi = fits
        .iter()
        .flat_map(|f| [&f.traces.kl_qp, &f.traces.kl_pq])
        .filter_map(|tr| tr.range())
        .map(|r| r.1)
        .fold(0.1f64, f64::max)
        .min(50.0);
    let mut kl = ChartBuilder::on(bottom)
        .margin(px(8.0))
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(52.0))
        .caption("Exact KL (nats)", ("sans-serif", px(17.0)).into_font())
        .build_cartesian_2d(0f64..x_max, 0f64..kl_hi * 1.1)
        .map_err(err)?;
    kl.configure_mesh()
        .light_line_style(WHITE)
        .x_labels(4)
        .y_labels(4)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .x_desc("step")
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .draw()
        .map_err(err)?;
    for f in fits {
        if compare {
            let name = &f.label[..1];
            series(
                &mut kl,
                &f.traces.kl_qp,
                ShapeStyle::from(&f.colour).stroke_width(line(2.5)),
                &format!("{name}: KL(q‖p)"),
            )?;
            dashed(
                &mut kl,
                &f.traces.kl_pq,
                ShapeStyle::from(&f.colour).stroke_width(line(2.0)),
                &format!("{name}: KL(p‖q)"),
                px(6.0),
            )?;
        } else {
            series(&mut kl, &f.traces.kl_qp, ShapeStyle::from(&Q_ORANGE).stroke_width(line(2.5)), "KL(q‖p)")?;
            series(&mut kl, &f.traces.kl_pq, ShapeStyle::from(&BLUE).stroke_width(line(2.5)), "KL(p‖q)")?;
        }
    }
    kl.configure_series_labels()
        .label_font(font)
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}

type Chart<'a> = ChartContext<
    'a,
    CanvasBackend,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The trace's finite points, with values clamped to a little beyond the chart's y range: a fit
/// blowing up can leave values of 1e8 and more, which plotters would otherwise walk pixel by pixel
/// (a dashed line) or lose in f32 rounding.
fn finite_points(trace: &Trace, y: std::ops::Range<f64>) -> Vec<(f64, f64)> {
    let margin = y.end - y.start;
    let (lo, hi) = (y.start - margin, y.end + margin);
    trace.points().iter().filter(|p| p.1.is_finite()).map(|&(s, v)| (s as f64, v.clamp(lo, hi))).collect()
}

fn dashed(chart: &mut Chart, trace: &Trace, style: ShapeStyle, label: &str, dash: u32) -> Result<(), String> {
    let colour = style.color;
    chart
        .draw_series(DashedLineSeries::new(finite_points(trace, chart.y_range()), dash, dash, style))
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], ShapeStyle::from(colour).stroke_width(3)));
    Ok(())
}

fn series(chart: &mut Chart, trace: &Trace, style: ShapeStyle, label: &str) -> Result<(), String> {
    let colour = style.color;
    chart
        .draw_series(LineSeries::new(finite_points(trace, chart.y_range()), style))
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ShapeStyle::from(colour).stroke_width(3)));
    Ok(())
}
