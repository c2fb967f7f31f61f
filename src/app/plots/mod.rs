//! Drawing on canvases with plotters-canvas. Geometry comes from [`crate::viz`]; this only draws.

pub mod density;

use web_sys::HtmlCanvasElement;

/// Sizes the canvas's pixel buffer to its displayed size times the device pixel ratio, so lines
/// stay sharp on a projector or a phone; returns that ratio for scaling fonts and strokes.
pub fn fit_to_display(canvas: &HtmlCanvasElement, fallback: (u32, u32)) -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = (canvas.client_width(), canvas.client_height());
    let (w, h) = if w > 0 && h > 0 { (w as u32, h as u32) } else { fallback };
    canvas.set_width((w as f64 * dpr).round() as u32);
    canvas.set_height((h as f64 * dpr).round() as u32);
    dpr
}

/// Plotters' errors as text for the page's status line.
pub fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}
