//! The main canvas. A base layer (axes, the target's heatmap and contours) is drawn by plotters
//! onto an offscreen canvas once per target and size; every frame blits it and draws on top the
//! MCMC draws, a cloud of q's samples, q's contours (covariance ellipses for a Gaussian, density
//! contours for a flow) and q's mean.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::{axes, context, err, fit_to_display, Display, YAxis};
use crate::engine::family::Family;
use crate::engine::math::{cos, rng_from_seed, sin, std_normal2, Vec2};
use crate::engine::mcmc::Mcmc;
use crate::engine::target::{Box2, Target};
use crate::palette;
use crate::playground::contours::QContours;
use crate::viz::{DensityLayer, Grid};

const HEATMAP_CELLS: usize = 160;
const Q_GRID: usize = 44;
const CLOUD: usize = 300;
const MAX_MCMC_DOTS: usize = 1200;

/// The cached base layer and the map from the target's coordinates to canvas pixels.
pub struct BaseLayer {
    canvas: HtmlCanvasElement,
    size: (u32, u32),
    view: Box2,
    /// Plotting area in pixels: x, y, width, height.
    area: (f64, f64, f64, f64),
    display: Display,
}

impl BaseLayer {
    fn to_px(&self, z: Vec2) -> (f64, f64) {
        let (x, y, w, h) = self.area;
        let fx = (z[0] - self.view.x.0) / (self.view.x.1 - self.view.x.0);
        let fy = (z[1] - self.view.y.0) / (self.view.y.1 - self.view.y.0);
        (x + fx * w, y + (1.0 - fy) * h)
    }
}

impl BaseLayer {
    /// The target's coordinates under a point given in CSS pixels from the canvas's corner.
    pub fn to_world(&self, css: (f64, f64)) -> Vec2 {
        let (x, y, w, h) = self.area;
        let (px, py) = (css.0 * self.display.dpr, css.1 * self.display.dpr);
        let fx = (px - x) / w;
        let fy = 1.0 - (py - y) / h;
        Vec2::new(
            self.view.x.0 + fx * (self.view.x.1 - self.view.x.0),
            self.view.y.0 + fy * (self.view.y.1 - self.view.y.0),
        )
    }

    /// A point of the target's plane in CSS pixels.
    pub fn to_css(&self, z: Vec2) -> (f64, f64) {
        let (x, y) = self.to_px(z);
        (x / self.display.dpr, y / self.display.dpr)
    }
}

/// Fixed base draws ε, pushed through q every frame: the cloud moves smoothly as q changes.
fn cloud_eps() -> &'static [Vec2] {
    static EPS: OnceLock<Vec<Vec2>> = OnceLock::new();
    EPS.get_or_init(|| {
        let mut rng = rng_from_seed(2024);
        (0..CLOUD).map(|_| std_normal2(&mut rng)).collect()
    })
}

/// q's sample cloud: the fixed base draws pushed through q.
fn sample_cloud(q: &dyn Family) -> Vec<Vec2> {
    crate::engine::family::cloud(q, cloud_eps())
}

/// The mean q is marked at (its cross, which a drag grabs): exact for a Gaussian, its cloud's for
/// a flow (a quadrature every frame costs too much).
fn mean_of(q: &dyn Family, cloud: &[Vec2]) -> Vec2 {
    q.gaussian().map_or_else(|| cloud.iter().sum::<Vec2>() / cloud.len() as f64, |(mu, _)| mu)
}

/// Where q's mean is marked on the canvas; see [`mean_of`].
pub fn marked_mean(q: &dyn Family) -> Vec2 {
    mean_of(q, &sample_cloud(q))
}

/// What one pane's canvas shows: the data it draws, not the page that holds it.
pub struct MainView<'a> {
    pub target: &'a dyn Target,
    pub q: &'a dyn Family,
    /// Which pane (A = 0, B = 1): q's colour, and A publishes its handles.
    pub pane: usize,
    pub mcmc: Option<&'a Mcmc>,
    /// Presenter mode: larger type and thicker lines, readable from the back of a lecture hall.
    pub presenter: bool,
    /// Paused: q's handles are drawn (and can be dragged).
    pub handles: bool,
    /// Until when (`performance.now()`) q's contours may be tabulated this frame; +∞ while
    /// paused (see [`QContours`]).
    pub contours_until: f64,
}

/// Draws a pane's canvas: the target layer (cached in `base`, rebuilt when the size or type
/// changes), the MCMC draws, and its q.
pub fn draw(
    canvas: &HtmlCanvasElement,
    base: &mut Option<BaseLayer>,
    contours: &mut QContours,
    v: &MainView,
) -> Result<(), String> {
    let display = fit_to_display(canvas, (640, 640), v.presenter);
    let size = (canvas.width(), canvas.height());
    let weight: f64 = if v.presenter { 1.8 } else { 1.0 };
    if base.as_ref().is_none_or(|b| b.size != size || b.display != display) {
        *base = base_layer(v.target, size, display)?;
    }
    let ctx = context(canvas)?;
    let Some(base) = base.as_ref() else { return Ok(()) };
    ctx.draw_image_with_html_canvas_element(&base.canvas, 0.0, 0.0).map_err(err)?;
    ctx.save();
    let (x, y, w, h) = base.area;
    ctx.begin_path();
    ctx.rect(x, y, w, h);
    ctx.clip();
    if let Some(m) = v.mcmc {
        let every = m.kept().div_ceil(MAX_MCMC_DOTS).max(1);
        dots(&ctx, base, m.pooled().step_by(every), 1.6, &palette::INK.rgba(0.55));
    }
    let colour = palette::Q[v.pane].hex();
    let style = Style { colour: &colour, weight, handles: v.handles };
    let mean = overlay_q(&ctx, base, v.q, style, contours, v.contours_until);
    if v.pane == 0 && v.handles {
        publish_handles(base, mean, v.q);
    }
    ctx.restore();
    Ok(())
}

/// The target's layer: its heatmap, contours and axes, type sized by `display`; none on a canvas
/// too small for axes.
fn base_layer(target: &dyn Target, size: (u32, u32), display: Display) -> Result<Option<BaseLayer>, String> {
    let dpr = display.dpr;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(err)?.dyn_into().map_err(err)?;
    canvas.set_width(size.0);
    canvas.set_height(size.1);
    let px = |v: f64| (v * dpr * display.scale).round() as u32;
    let view = target.view_box();
    let names = target.axis_names();
    let layer = DensityLayer::new(view, HEATMAP_CELLS, |z| target.log_density(z));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("this browser gives no 2-D canvas")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let Some(mut chart) = axes(
        &root,
        (view.x.0..view.x.1, view.y.0..view.y.1),
        display.font,
        Some(names[0]),
        YAxis::Labelled(Some(names[1])),
    )?
    else {
        return Ok(None); // too small to draw on: drawn once it has a size
    };
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let area = (xs.start as f64, ys.start as f64, (xs.end - xs.start) as f64, (ys.end - ys.start) as f64);
    super::blit(&canvas, &layer, (xs.start, ys.start, xs.end - xs.start, ys.end - ys.start))?;
    let ink = super::rgb(palette::INK);
    for (mass, segments) in &layer.contours {
        let width = if *mass <= 0.5 { px(1.6) } else { px(1.0) };
        let style = ShapeStyle::from(&ink.mix(0.8)).stroke_width(width);
        chart
            .draw_series(segments.iter().map(|(a, b)| PathElement::new(vec![(a[0], a[1]), (b[0], b[1])], style)))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(Some(BaseLayer { canvas, size, view, area, display }))
}

fn dots(
    ctx: &CanvasRenderingContext2d,
    base: &BaseLayer,
    points: impl Iterator<Item = Vec2>,
    radius: f64,
    colour: &str,
) {
    ctx.set_fill_style_str(colour);
    ctx.begin_path();
    let r = radius * base.display.dpr;
    for z in points {
        if !(z[0].is_finite() && z[1].is_finite()) {
            continue;
        }
        let (x, y) = base.to_px(z);
        ctx.move_to(x + r, y);
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    }
    ctx.fill();
}

/// How q is drawn: its colour, a line weight (presenter mode doubles it), and whether the drag
/// handles show (while paused).
#[derive(Clone, Copy)]
struct Style<'a> {
    colour: &'a str,
    weight: f64,
    handles: bool,
}

/// Draws q and returns the mean it marked.
fn overlay_q(
    ctx: &CanvasRenderingContext2d,
    base: &BaseLayer,
    q: &dyn Family,
    style: Style<'_>,
    contours: &mut QContours,
    until: f64,
) -> Vec2 {
    let cloud = sample_cloud(q);
    ctx.set_global_alpha(0.55);
    dots(ctx, base, cloud.iter().copied(), 2.2 * style.weight.sqrt(), style.colour);
    ctx.set_global_alpha(1.0);
    ctx.set_stroke_style_str(style.colour);
    ctx.set_line_width(2.5 * base.display.dpr * style.weight);
    let mean = mean_of(q, &cloud);
    match q.gaussian() {
        Some((mu, l)) => {
            // The 1- and 2-standard-deviation ellipses μ + rL(cos t, sin t).
            for r in [1.0, 2.0] {
                ellipse(ctx, base, mu, l, r);
            }
        }
        None => {
            // Density contours of q holding 50 % and 90 % of its mass, tabulated again once q has
            // moved by half a pixel.
            let grid = Grid::new(base.view, Q_GRID, Q_GRID);
            let half_pixel = 0.5 * (base.view.x.1 - base.view.x.0) / base.area.2.max(1.0);
            contours.update(q, &cloud, grid, half_pixel, || crate::app::browser::now() < until);
            for segments in &contours.segments {
                ctx.begin_path();
                for &(a, b) in segments {
                    let (ax, ay) = base.to_px(a);
                    let (bx, by) = base.to_px(b);
                    ctx.move_to(ax, ay);
                    ctx.line_to(bx, by);
                }
                ctx.stroke();
            }
            // A mixture: each component's 1σ ellipse, as opaque as its weight, and the weight.
            if let Some(components) = q.components() {
                ctx.set_line_width(1.5 * base.display.dpr * style.weight);
                ctx.set_fill_style_str(style.colour);
                ctx.set_font(&format!("{}px sans-serif", (0.8 * base.display.font).round()));
                for (mu, l, pi) in components {
                    ctx.set_global_alpha(0.25 + 0.75 * pi);
                    ellipse(ctx, base, mu, l, 1.0);
                    let (x, y) = base.to_px(mu);
                    if style.handles {
                        // While paused: a dot to grab the component by.
                        ctx.begin_path();
                        let _ = ctx.arc(x, y, 4.5 * base.display.dpr * style.weight.sqrt(), 0.0, std::f64::consts::TAU);
                        ctx.fill();
                    }
                    let _ =
                        ctx.fill_text(&format!("{:.2}", pi), x + 4.0 * base.display.dpr, y - 4.0 * base.display.dpr);
                }
                ctx.set_global_alpha(1.0);
                ctx.set_line_width(2.5 * base.display.dpr * style.weight);
            }
        }
    }
    // While paused, a square handle on the 2σ ellipse: drag it to reshape q.
    if let (true, Some(handle)) = (style.handles, crate::viz::handle_of(q)) {
        let (hx, hy) = base.to_px(handle);
        let h = 6.0 * base.display.dpr * style.weight.sqrt();
        ctx.set_fill_style_str(style.colour);
        ctx.fill_rect(hx - h, hy - h, 2.0 * h, 2.0 * h);
        ctx.set_stroke_style_str("#ffffff");
        ctx.set_line_width(1.5 * base.display.dpr);
        ctx.stroke_rect(hx - h, hy - h, 2.0 * h, 2.0 * h);
        ctx.set_stroke_style_str(style.colour);
    }
    // The mean: a cross.
    let (x, y) = base.to_px(mean);
    let s = 7.0 * base.display.dpr * style.weight.sqrt();
    ctx.set_line_width(3.0 * base.display.dpr * style.weight);
    ctx.begin_path();
    ctx.move_to(x - s, y - s);
    ctx.line_to(x + s, y + s);
    ctx.move_to(x - s, y + s);
    ctx.line_to(x + s, y - s);
    ctx.stroke();
    mean
}

/// The ellipse μ + rL(cos t, sin t), stroked.
fn ellipse(ctx: &CanvasRenderingContext2d, base: &BaseLayer, mu: Vec2, l: crate::engine::Mat2, r: f64) {
    ctx.begin_path();
    for k in 0..=96 {
        let t = k as f64 / 96.0 * std::f64::consts::TAU;
        let (x, y) = base.to_px(mu + l * Vec2::new(cos(t), sin(t)) * r);
        if k == 0 {
            ctx.move_to(x, y);
        } else {
            ctx.line_to(x, y);
        }
    }
    ctx.stroke();
}

/// `window.viHandles = { mean: [x, y], handle: [x, y] | null, components: [[x, y], …] }` in CSS
/// pixels from the first canvas's corner, while paused: where to grab q, for tests and the
/// curious.
fn publish_handles(base: &BaseLayer, mean: Vec2, q: &dyn Family) {
    use wasm_bindgen::JsValue;
    let Some(w) = web_sys::window() else { return };
    let point = |z: Vec2| {
        let (x, y) = base.to_css(z);
        js_sys::Array::of2(&JsValue::from_f64(x), &JsValue::from_f64(y)).into()
    };
    let handle = crate::viz::handle_of(q).map_or(JsValue::NULL, point);
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("mean"), &point(mean));
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("handle"), &handle);
    // A mixture's component centres, in stratum order (empty for other families).
    let centres = js_sys::Array::new();
    for (mu, _, _) in q.components().unwrap_or_default() {
        centres.push(&point(mu));
    }
    let _ = js_sys::Reflect::set(&o, &JsValue::from_str("components"), &centres);
    let _ = js_sys::Reflect::set(&w, &JsValue::from_str("viHandles"), &o);
}
