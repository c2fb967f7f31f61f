//! The page's colours, defined once for the canvases (plotters and the 2-D context) and checked
//! against the style sheet's (`style/app.css`) by a test, so the fit drawn and the swatch beside its
//! label cannot drift apart. Okabe–Ito colours for q (vermillion, reddish purple), distinct from the
//! blue target density for colour-blind eyes.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`, as CSS writes it.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `rgba(r, g, b, alpha)`.
    pub fn rgba(self, alpha: f64) -> String {
        format!("rgba({}, {}, {}, {alpha})", self.0, self.1, self.2)
    }
}

/// q in each pane: A (Okabe–Ito vermillion, the style sheet's `--q`) and B (reddish purple).
pub const Q: [Rgb; 2] = [Rgb(213, 94, 0), Rgb(204, 121, 167)];
/// The same as text on white (captions, `.pane-a`, `.pane-b`): darker, for a 4.5:1 contrast.
pub const Q_TEXT: [Rgb; 2] = [Rgb(179, 71, 0), Rgb(168, 68, 123)];
/// A's lighter shade, for the raw ELBO estimates behind their running average.
pub const Q_LIGHT: Rgb = Rgb(244, 165, 130);
/// The target: ln Z on the chart, the swatch of the density (`.swatch.target`).
pub const TARGET: Rgb = Rgb(33, 113, 181);
/// Ink: text, contours and the MCMC draws (`--ink`).
pub const INK: Rgb = Rgb(17, 24, 39);
/// Grid lines of the charts.
pub const GRID: Rgb = Rgb(229, 231, 235);
/// The MCMC histogram's bars.
pub const BARS: Rgb = Rgb(156, 163, 175);
/// The ln Z sandwich on the ELBO chart: the lower bound (ELBO estimate, Okabe–Ito blue) and the
/// upper (CUBO₂ estimate, Okabe–Ito bluish green, darkened to 3:1 on white for a projector).
pub const LOWER: Rgb = Rgb(0, 114, 178);
pub const UPPER: Rgb = Rgb(0, 135, 98);
