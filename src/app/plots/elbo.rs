//! The ELBO chart: above, the ELBO estimates and their running average against the step with the
//! exact ln Z as a dashed line (the gap between them is KL(q‖p)); below, the exact KL(q‖p) and
//! KL(p‖q).

use leptos::prelude::{GetUntracked, GetValue, WithValue};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::{err, fit_to_display};
use crate::app::live::Live;
use crate::playground::Trace;

const Q_ORANGE: RGBColor = RGBColor(213, 94, 0);
const LIGHT_ORANGE: RGBColor = RGBColor(244, 165, 130);
const BLUE: RGBColor = RGBColor(33, 113, 181);

pub fn draw(live: Live) -> Result<(), String> {
    let Some(canvas) = live.elbo_canvas.get_value() else { return Ok(()) };
    let dpr = fit_to_display(&canvas, (480, 420), true);
    let px = |v: f64| (v * dpr).round() as u32;
    let log_z = live.exact.get_untracked().map(|e| e.log_z);
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let (top, bottom) = root.split_vertically((root.dim_in_pixel().1 as f64 * 0.55) as u32);
    live.traces.with_value(|t| -> Result<(), String> {
        let last =
            [&t.elbo, &t.elbo_avg, &t.kl_qp].iter().filter_map(|tr| tr.points().last().map(|p| p.0)).max().unwrap_or(0);
        let x_max = (last.max(10) as f64 * 1.05).ceil();
        let font = ("sans-serif", px(14.0)).into_font().color(&BLACK);

        // ELBO: focus on the running average and ln Z; single estimates may fall off the bottom.
        let (mut lo, mut hi) = t.elbo_avg.range().unwrap_or((-5.0, 0.0));
        if let Some(z) = log_z {
            hi = hi.max(z);
            lo = lo.min(z - 0.5);
        }
        lo = lo.max(hi - 30.0);
        let pad = ((hi - lo) * 0.1).max(0.05);
        let mut chart = ChartBuilder::on(&top)
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
        series(&mut chart, &t.elbo, ShapeStyle::from(&LIGHT_ORANGE).stroke_width(px(1.0)), "estimate")?;
        series(&mut chart, &t.elbo_avg, ShapeStyle::from(&Q_ORANGE).stroke_width(px(2.5)), "running average")?;
        if let Some(z) = log_z {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, z), (x_max, z)],
                    px(8.0),
                    px(5.0),
                    ShapeStyle::from(&BLACK).stroke_width(px(1.5)),
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

        // KLs.
        let kl_hi =
            [&t.kl_qp, &t.kl_pq].iter().filter_map(|tr| tr.range()).map(|r| r.1).fold(0.1f64, f64::max).min(50.0);
        let mut kl = ChartBuilder::on(&bottom)
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
        series(&mut kl, &t.kl_qp, ShapeStyle::from(&Q_ORANGE).stroke_width(px(2.5)), "KL(q‖p)")?;
        series(&mut kl, &t.kl_pq, ShapeStyle::from(&BLUE).stroke_width(px(2.5)), "KL(p‖q)")?;
        kl.configure_series_labels()
            .label_font(font)
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        Ok(())
    })?;
    root.present().map_err(err)
}

fn series<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    trace: &Trace,
    style: ShapeStyle,
    label: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let points: Vec<(f64, f64)> =
        trace.points().iter().filter(|p| p.1.is_finite()).map(|&(s, v)| (s as f64, v)).collect();
    let colour = style.color;
    chart
        .draw_series(LineSeries::new(points, style))
        .map_err(err)?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ShapeStyle::from(colour).stroke_width(3)));
    Ok(())
}
