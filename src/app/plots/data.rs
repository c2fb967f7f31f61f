//! The logistic data panel: the clicked points (class 1 on top, class 0 below), the curve
//! P(y = 1 | x) = σ(α + βx) at q's mean with q's 80 % band (orange), and the same from the MCMC
//! draws (grey) when there are some; a cursor for the keyboard.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::{axes, err, fit_to_display, rgb, YAxis};
use crate::engine::target::logistic::X_RANGE;
use crate::palette;
use crate::playground::data::Band;

/// What the panel draws.
pub struct DataView<'a> {
    pub points: &'a [[f64; 2]],
    pub q: Option<Band>,
    pub mcmc: Option<Band>,
    pub cursor: f64,
    pub presenter: bool,
}

/// Where the plotting area lies, to turn a click back into an x: CSS pixels of x = X_RANGE ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataFrame {
    pub left: f64,
    pub right: f64,
    pub x: (f64, f64),
}

impl DataFrame {
    pub fn to_x(&self, css_x: f64) -> f64 {
        self.x.0 + (css_x - self.left) / (self.right - self.left) * (self.x.1 - self.x.0)
    }
}

/// The x range drawn: X_RANGE with a margin, so points at its ends are not cut.
const X_VIEW: (f64, f64) = (X_RANGE.0 - 0.25, X_RANGE.1 + 0.25);

pub fn draw(canvas: web_sys::HtmlCanvasElement, v: &DataView) -> Result<Option<DataFrame>, String> {
    let display = fit_to_display(&canvas, (360, 200), v.presenter);
    let (dpr, font) = (display.dpr, display.font);
    let px = |w: f64| (w * dpr).round().max(1.0) as u32;
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let Some(mut chart) =
        axes(&root, (X_VIEW.0..X_VIEW.1, -0.12..1.12), font, Some("x"), YAxis::Labelled(Some("P(y = 1)")))?
    else {
        return Ok(None);
    };
    for (band, fill, line) in [(&v.mcmc, palette::BARS, palette::INK), (&v.q, palette::Q_LIGHT, palette::Q[0])] {
        let Some(b) = band else { continue };
        let upper = b.x.iter().copied().zip(b.hi.iter().copied());
        let lower = b.x.iter().copied().zip(b.lo.iter().copied()).rev();
        let area: Vec<(f64, f64)> = upper.chain(lower).collect();
        chart.draw_series(std::iter::once(Polygon::new(area, rgb(fill).mix(0.35).filled()))).map_err(err)?;
        let curve = b.x.iter().copied().zip(b.mean.iter().copied());
        chart.draw_series(LineSeries::new(curve, ShapeStyle::from(&rgb(line)).stroke_width(px(2.5)))).map_err(err)?;
    }
    let ink = rgb(palette::INK);
    let cursor = [(v.cursor, -0.12), (v.cursor, 1.12)];
    chart
        .draw_series(LineSeries::new(cursor, ShapeStyle::from(&rgb(palette::BARS)).stroke_width(px(1.0))))
        .map_err(err)?;
    let r = px(5.0) as i32;
    chart
        .draw_series(v.points.iter().map(|&[x, y]| {
            let style =
                if y == 1.0 { rgb(palette::TARGET).filled() } else { ShapeStyle::from(&ink).stroke_width(px(2.0)) };
            Circle::new((x, y), r, style)
        }))
        .map_err(err)?;
    // Backend (device) pixels of the range's ends, as CSS pixels.
    let left = chart.plotting_area().map_coordinate(&(X_VIEW.0, 0.0)).0 as f64 / dpr;
    let right = chart.plotting_area().map_coordinate(&(X_VIEW.1, 0.0)).0 as f64 / dpr;
    root.present().map_err(err)?;
    Ok(Some(DataFrame { left, right, x: X_VIEW }))
}
