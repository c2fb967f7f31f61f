//! Drawing on canvases with plotters-canvas. Geometry comes from [`crate::viz`]; this only draws.

pub mod elbo;
pub mod main;
pub mod marginals;

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::viz::DensityLayer;

/// The device pixel ratio and the pixel size that matches the canvas's displayed size; with
/// `resize`, sets the canvas's pixel buffer to it (which clears the canvas), so lines stay sharp on
/// a projector or a phone. The ratio scales fonts and strokes.
pub fn fit_to_display(canvas: &HtmlCanvasElement, fallback: (u32, u32), resize: bool) -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = (canvas.client_width(), canvas.client_height());
    let (w, h) = if w > 0 && h > 0 { (w as u32, h as u32) } else { fallback };
    let size = ((w as f64 * dpr).round() as u32, (h as f64 * dpr).round() as u32);
    if resize && (canvas.width(), canvas.height()) != size {
        canvas.set_width(size.0);
        canvas.set_height(size.1);
    }
    dpr
}

/// The canvas's 2-D context.
pub fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(err)?
        .ok_or("this browser gives no 2-D canvas")?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(err)
}

/// Plotters' errors as text for the page's status line.
pub fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
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
