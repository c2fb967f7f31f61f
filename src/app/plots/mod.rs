//! Drawing on canvases with plotters-canvas. Geometry comes from [`crate::viz`]; this only draws.

pub mod data;
pub mod elbo;
pub mod main;
pub mod marginals;

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::axes::{
    label_at, label_px, legend_rows, text_width, tick_mark, ticks, x_label_room, y_label_room, Along, Tick, LINE_EM,
};
use crate::viz::DensityLayer;

/// How a canvas is shown: device pixels per CSS pixel, and the size of its tick labels in device
/// pixels, from the canvas's displayed size (larger in presenter mode).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Display {
    pub dpr: f64,
    pub font: f64,
    /// 1, or [`PRESENTER_TYPE`] in presenter mode.
    pub scale: f64,
}

/// How much larger presenter mode draws a canvas's type.
pub const PRESENTER_TYPE: f64 = 1.4;

/// Sets the canvas's pixel buffer to its displayed size times the device pixel ratio (which clears
/// it, so only when that changed), so lines stay sharp on a projector or a phone; and sizes its
/// type to the displayed size.
pub fn fit_to_display(canvas: &HtmlCanvasElement, fallback: (u32, u32), presenter: bool) -> Display {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = (canvas.client_width(), canvas.client_height());
    let (w, h) = if w > 0 && h > 0 { (w as u32, h as u32) } else { fallback };
    let size = ((w as f64 * dpr).round() as u32, (h as f64 * dpr).round() as u32);
    if (canvas.width(), canvas.height()) != size {
        canvas.set_width(size.0);
        canvas.set_height(size.1);
    }
    let scale = if presenter { PRESENTER_TYPE } else { 1.0 };
    Display { dpr, font: (label_px(w.min(h) as f64) * scale * dpr).round(), scale }
}

pub type Area = DrawingArea<CanvasBackend, Shift>;

/// A linear axis whose ticks are the ones [`crate::axes::ticks`] chose for it (plotters would
/// choose its own, with no regard for the labels' widths).
#[derive(Clone)]
pub struct Ticked {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub fn new(range: Range<f64>, ticks: &[Tick]) -> Self {
        Ticked { linear: range.into(), ticks: ticks.iter().map(|t| t.value).collect() }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.linear.range()
    }
}

/// A chart whose ticks were chosen to fit it (see [`axes`]).
pub type Chart<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<Ticked, Ticked>>;

/// A legend entry: a line of `colour`, solid or dashed, and its label.
pub struct Key {
    pub label: String,
    pub colour: RGBColor,
    pub dashed: bool,
}

/// Draws a legend at the top of `area`, wrapped into as many rows as its width needs, so it never
/// sits on the data; returns the area left below it.
pub fn header(area: &Area, tick_font: f64, keys: &[Key]) -> Result<Area, String> {
    let (width, _) = area.dim_in_pixel();
    // A little smaller than the ticks: the legend is read once, the data all along.
    let font = (0.85 * tick_font).round();
    let pad = 0.3 * font;
    let mut y = pad;
    let swatch = 1.4 * font;
    let widths: Vec<f64> = keys.iter().map(|k| swatch + 0.4 * font + text_width(&k.label, font)).collect();
    let gap = 0.9 * font;
    let label = ("sans-serif", font).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for row in legend_rows(&widths, width as f64 - 2.0 * pad, gap) {
        let used: f64 = row.iter().map(|&i| widths[i]).sum::<f64>() + gap * (row.len() - 1) as f64;
        let mut x = ((width as f64 - used) / 2.0).max(pad);
        let mid = (y + LINE_EM * font / 2.0) as i32;
        for i in row {
            let k = &keys[i];
            let style = ShapeStyle::from(&k.colour).stroke_width((0.2 * font).round().max(1.0) as u32);
            let pieces: &[(f64, f64)] = if k.dashed { &[(0.0, 0.4), (0.6, 1.0)] } else { &[(0.0, 1.0)] };
            for &(a, b) in pieces {
                let line = vec![((x + a * swatch) as i32, mid), ((x + b * swatch) as i32, mid)];
                area.draw(&PathElement::new(line, style)).map_err(err)?;
            }
            area.draw_text(&k.label, &label, ((x + swatch + 0.4 * font) as i32, mid)).map_err(err)?;
            x += widths[i] + gap;
        }
        y += LINE_EM * font;
    }
    Ok(area.split_vertically((y + pad) as u32).1)
}

/// What a chart's y axis shows: ticks and labels with an optional name, or nothing (a
/// histogram's counts).
#[derive(Clone, Copy, PartialEq)]
pub enum YAxis<'s> {
    Labelled(Option<&'s str>),
    Hidden,
}

/// Builds a chart on `area` over `x` × `y` and draws its axes: ticks chosen by
/// [`crate::axes::ticks`] for the lengths they are drawn on, room for the labels and for the axes'
/// names measured so that nothing overlaps. `None` when the area is too small to hold a chart at
/// all: better nothing than axes drawn over each other.
pub fn axes<'a>(
    area: &'a Area,
    (x, y): (Range<f64>, Range<f64>),
    font: f64,
    x_desc: Option<&str>,
    y_axis: YAxis,
) -> Result<Option<Chart<'a>>, String> {
    let y_desc = match y_axis {
        YAxis::Labelled(d) => d,
        YAxis::Hidden => None,
    };
    let (w, h) = area.dim_in_pixel();
    let desc = 1.1 * font;
    // The margins leave room for the end labels, which overhang the plotting area by half a label.
    let (top, right) = (0.7 * font, 1.6 * font);
    let x_room = x_label_room(font, x_desc.map(|_| desc));
    let plot_h = (h as f64 - x_room - top).max(1.0);
    let (y_ticks, y_room) = match y_axis {
        YAxis::Labelled(_) => {
            let t = ticks((y.start, y.end), plot_h, font, Along::Vertical);
            let room = y_label_room(&t, font, y_desc.map(|_| desc));
            (t, room)
        }
        YAxis::Hidden => (Vec::new(), 0.6 * font),
    };
    let plot_w = (w as f64 - y_room - right).max(1.0);
    if plot_h < 2.0 * font || plot_w < 4.0 * font {
        return Ok(None);
    }
    let x_ticks = ticks((x.start, x.end), plot_w, font, Along::Horizontal);
    let mut chart = ChartBuilder::on(area)
        .margin_top(top as u32)
        .margin_right(right as u32)
        .x_label_area_size(x_room as u32)
        .y_label_area_size(y_room as u32)
        .build_cartesian_2d(Ticked::new(x, &x_ticks), Ticked::new(y, &y_ticks))
        .map_err(err)?;
    let (x_label, y_label) = (|v: &f64| label_at(&x_ticks, *v), |v: &f64| label_at(&y_ticks, *v));
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(WHITE)
        .bold_line_style(rgb(crate::palette::GRID))
        .x_labels(x_ticks.len().max(1))
        .y_labels(y_ticks.len().max(1))
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .set_all_tick_mark_size(tick_mark(font).round() as u32)
        .label_style(("sans-serif", font).into_font().color(&BLACK))
        .axis_desc_style(("sans-serif", desc).into_font().color(&BLACK));
    if let Some(d) = x_desc {
        mesh.x_desc(d);
    }
    if let Some(d) = y_desc {
        mesh.y_desc(d);
    }
    if y_axis == YAxis::Hidden {
        mesh.disable_y_axis().disable_y_mesh();
    }
    mesh.draw().map_err(err)?;
    Ok(Some(chart))
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

/// A palette colour for plotters.
pub fn rgb(c: crate::palette::Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}
