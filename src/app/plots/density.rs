//! The target's density: heatmap blitted as an image, contours and axes by plotters.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{HtmlCanvasElement, ImageData};

use super::{context, err, fit_to_display};
use crate::engine::target::Target;
use crate::viz::DensityLayer;

/// Heatmap resolution per side.
const CELLS: usize = 160;

pub fn draw(canvas: &HtmlCanvasElement, target: &dyn Target) -> Result<(), String> {
    let dpr = fit_to_display(canvas, (640, 640), true);
    let px = |v: f64| (v * dpr).round() as u32;
    let view = target.view_box();
    let layer = DensityLayer::new(view, CELLS, |z| target.log_density(z));

    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(px(14.0))
        .x_label_area_size(px(48.0))
        .y_label_area_size(px(56.0))
        .build_cartesian_2d(view.x.0..view.x.1, view.y.0..view.y.1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x")
        .y_desc("y")
        .label_style(("sans-serif", px(16.0)).into_font().color(&BLACK))
        .axis_desc_style(("sans-serif", px(18.0)).into_font().color(&BLACK))
        .draw()
        .map_err(err)?;

    let (xs, ys) = chart.plotting_area().get_pixel_range();
    blit(canvas, &layer, (xs.start, ys.start, xs.end - xs.start, ys.end - ys.start))?;

    let ink = RGBColor(17, 24, 39);
    for (mass, segments) in &layer.contours {
        let width = if *mass <= 0.5 { px(2.0) } else { px(1.2) };
        let style = ShapeStyle::from(&ink).stroke_width(width);
        chart
            .draw_series(segments.iter().map(|(a, b)| PathElement::new(vec![(a[0], a[1]), (b[0], b[1])], style)))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// Puts the heatmap's pixels on an offscreen canvas and scales it into the plotting area.
pub fn blit(
    canvas: &HtmlCanvasElement,
    layer: &DensityLayer,
    (x, y, w, h): (i32, i32, i32, i32),
) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let off: HtmlCanvasElement = document.create_element("canvas").map_err(err)?.dyn_into().map_err(err)?;
    let (nx, ny) = (layer.grid.nx as u32, layer.grid.ny as u32);
    off.set_width(nx);
    off.set_height(ny);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&layer.rgba), nx, ny).map_err(err)?;
    context(&off)?.put_image_data(&image, 0.0, 0.0).map_err(err)?;
    let ctx = context(canvas)?;
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&off, x as f64, y as f64, w as f64, h as f64).map_err(err)
}
