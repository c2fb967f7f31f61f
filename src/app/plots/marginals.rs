//! Marginal histograms of the MCMC draws (grey bars) with q's marginal densities (orange lines):
//! where mean-field is too narrow, the orange curve is visibly thinner than the bars.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use super::{axes, err, fit_to_display, rgb, YAxis};
use crate::engine::family::Family;
use crate::engine::target::Box2;
use crate::engine::Vec2;
use crate::palette;
use crate::viz::Grid;
use crate::viz::{histogram, marginals};

const BINS: usize = 40;
const Q_GRID: usize = 96;

/// Draws the marginals of the MCMC `draws` and of `q` over the target's `view`.
pub fn draw(
    canvas: web_sys::HtmlCanvasElement,
    draws: &[Vec2],
    q: &dyn Family,
    view: Box2,
    names: [&str; 2],
    presenter: bool,
) -> Result<(), String> {
    let grid = Grid::new(view, Q_GRID, Q_GRID);
    let log_q = grid.eval(|z| q.log_q(z));
    let (qx, qy) = marginals(&grid, &log_q);
    let display = fit_to_display(&canvas, (360, 200), presenter);
    let (dpr, font) = (display.dpr, display.font);
    let px = |v: f64| (v * dpr).round() as u32;
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let panels = root.split_evenly((1, 2));
    for (k, panel) in panels.iter().enumerate() {
        let (lo, hi) = if k == 0 { view.x } else { view.y };
        let bars = histogram(draws.iter().map(|d| d[k]), lo, hi, BINS);
        let (centres, dens): (Vec<f64>, &Vec<f64>) = if k == 0 {
            ((0..grid.nx).map(|i| grid.point(i, 0)[0]).collect(), &qx)
        } else {
            ((0..grid.ny).map(|j| grid.point(0, j)[1]).collect(), &qy)
        };
        let top = bars.iter().chain(dens.iter()).copied().fold(0.0f64, f64::max) * 1.1;
        let name = names[k];
        let Some(mut chart) = axes(panel, (lo..hi, 0.0..top.max(1e-9)), font, Some(name), YAxis::Hidden)? else {
            continue;
        };
        let width = (hi - lo) / BINS as f64;
        let grey = rgb(palette::BARS);
        chart
            .draw_series(bars.iter().enumerate().map(|(b, &h)| {
                let x0 = lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, h)], grey.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                centres.iter().copied().zip(dens.iter().copied()),
                ShapeStyle::from(&rgb(palette::Q[0])).stroke_width(px(2.5)),
            ))
            .map_err(err)?;
    }
    root.present().map_err(err)
}
