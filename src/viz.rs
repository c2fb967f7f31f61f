//! Plot geometry that needs no browser: colour maps, highest-density contour levels and marching
//! squares. Pure, so it is tested natively; `app::plots` only draws what this computes.

use crate::engine::family::{Family, Structure};
use crate::engine::math::{exp, ln, Mat2, Vec2};
use crate::engine::target::Box2;

/// A regular grid of cell midpoints over a box: what a density is tabulated on for drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    pub bounds: Box2,
    pub nx: usize,
    pub ny: usize,
}

impl Grid {
    pub fn new(bounds: Box2, nx: usize, ny: usize) -> Self {
        Grid { bounds, nx, ny }
    }

    pub fn dx(&self) -> f64 {
        (self.bounds.x.1 - self.bounds.x.0) / self.nx as f64
    }

    pub fn dy(&self) -> f64 {
        (self.bounds.y.1 - self.bounds.y.0) / self.ny as f64
    }

    pub fn cell_area(&self) -> f64 {
        self.dx() * self.dy()
    }

    /// Midpoint of cell (i, j), i along x.
    #[inline]
    pub fn point(&self, i: usize, j: usize) -> Vec2 {
        Vec2::new(self.bounds.x.0 + (i as f64 + 0.5) * self.dx(), self.bounds.y.0 + (j as f64 + 0.5) * self.dy())
    }

    /// Every midpoint, row by row (j outer, i inner).
    pub fn points(&self) -> impl Iterator<Item = Vec2> + '_ {
        (0..self.ny).flat_map(move |j| (0..self.nx).map(move |i| self.point(i, j)))
    }

    /// f at every midpoint, row by row.
    pub fn eval(&self, f: impl Fn(Vec2) -> f64) -> Vec<f64> {
        self.points().map(f).collect()
    }
}

/// The probability masses whose highest-density regions get a contour.
pub const CONTOUR_MASSES: [f64; 3] = [0.5, 0.9, 0.99];

/// A density tabulated for drawing: its heatmap pixels and its highest-density contours.
#[derive(Debug, Clone)]
pub struct DensityLayer {
    pub grid: Grid,
    /// RGBA, top row first, `grid.nx` × `grid.ny`.
    pub rgba: Vec<u8>,
    /// (mass, segments) for each of [`CONTOUR_MASSES`].
    pub contours: Vec<(f64, Vec<(Vec2, Vec2)>)>,
}

impl DensityLayer {
    /// Tabulates `log_density` on an `n` × `n` grid over `bounds`.
    pub fn new(bounds: Box2, n: usize, log_density: impl Fn(Vec2) -> f64) -> Self {
        let grid = Grid::new(bounds, n, n);
        let log_p = grid.eval(log_density);
        let levels = hpd_levels(&log_p, &CONTOUR_MASSES);
        let contours =
            CONTOUR_MASSES.iter().zip(levels).map(|(&m, level)| (m, contour(&grid, &log_p, level))).collect();
        DensityLayer { rgba: heatmap_rgba(&log_p, n, n), grid, contours }
    }
}

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// ColorBrewer "Blues" (9 classes), a sequential map that stays readable for the common forms of
/// colour blindness and in greyscale: white for no density, deep blue for the most.
const BLUES: [Rgb; 9] = [
    [247, 251, 255],
    [222, 235, 247],
    [198, 219, 239],
    [158, 202, 225],
    [107, 174, 214],
    [66, 146, 198],
    [33, 113, 181],
    [8, 81, 156],
    [8, 48, 107],
];

/// The colour of t ∈ [0, 1] on [`BLUES`], linearly interpolated; values outside are clamped and
/// NaN maps to white.
pub fn blues(t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (BLUES.len() - 1) as f64;
    let i = (x.floor() as usize).min(BLUES.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (BLUES[i], BLUES[i + 1]);
    [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2])]
}

/// RGBA pixels of a density heatmap from log densities on a grid stored row by row from the
/// bottom (j = 0 is the lowest y); the image's first row is the top. Intensity is (p/p_max)^0.7,
/// which keeps the tails visible.
pub fn heatmap_rgba(log_p: &[f64], nx: usize, ny: usize) -> Vec<u8> {
    let max = log_p.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let mut rgba = vec![0u8; nx * ny * 4];
    for j in 0..ny {
        for i in 0..nx {
            let t = exp(0.7 * (log_p[j * nx + i] - max));
            let [r, g, b] = blues(t);
            let o = ((ny - 1 - j) * nx + i) * 4;
            rgba[o..o + 4].copy_from_slice(&[r, g, b, 255]);
        }
    }
    rgba
}

/// Density thresholds of the highest-density regions holding the given fractions of the mass
/// (e.g. 0.5, 0.9): the contour at level c encloses {p ≥ c}. Computed from a grid of log
/// densities; levels come back in the order of `masses`.
pub fn hpd_levels(log_p: &[f64], masses: &[f64]) -> Vec<f64> {
    let max = log_p.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let mut p: Vec<f64> = log_p.iter().map(|&l| if l.is_finite() { exp(l - max) } else { 0.0 }).collect();
    crate::engine::math::sort_f64(&mut p);
    let total: f64 = p.iter().sum();
    masses
        .iter()
        .map(|&m| {
            let mut acc = 0.0;
            // Densest cells first.
            for &v in p.iter().rev() {
                acc += v;
                if acc >= m * total {
                    return ln(v) + max;
                }
            }
            f64::NEG_INFINITY
        })
        .collect()
}

/// Line segments of the contour {f = level} of values given at the grid's midpoints, row by row
/// (marching squares; saddle cells resolved by the cell-centre average).
pub fn contour(grid: &Grid, f: &[f64], level: f64) -> Vec<(Vec2, Vec2)> {
    let (nx, ny) = (grid.nx, grid.ny);
    let mut out = Vec::new();
    let at = |i: usize, j: usize| f[j * nx + i];
    for j in 0..ny.saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            // Corners counter-clockwise from the bottom left.
            let v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            let p = [grid.point(i, j), grid.point(i + 1, j), grid.point(i + 1, j + 1), grid.point(i, j + 1)];
            let above: Vec<bool> = v.iter().map(|&x| x >= level).collect();
            // Edge k joins corner k to corner k + 1.
            let cross = |k: usize| {
                let (a, b) = (k, (k + 1) % 4);
                let t = (level - v[a]) / (v[b] - v[a]);
                p[a] + (p[b] - p[a]) * t.clamp(0.0, 1.0)
            };
            let crossing: Vec<usize> = (0..4).filter(|&k| above[k] != above[(k + 1) % 4]).collect();
            match crossing.len() {
                2 => out.push((cross(crossing[0]), cross(crossing[1]))),
                4 => {
                    // Saddle: if the centre is on the same side as corner 0, corner 0's edges pair
                    // with their neighbours' other edges.
                    let centre_above = v.iter().sum::<f64>() / 4.0 >= level;
                    if centre_above == above[0] {
                        out.push((cross(0), cross(1)));
                        out.push((cross(2), cross(3)));
                    } else {
                        out.push((cross(3), cross(0)));
                        out.push((cross(1), cross(2)));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A density histogram: `bins` equal bins over [lo, hi]; each value is the bin's share of *all*
/// values divided by the bin width, so the bars integrate to the share that fell inside.
pub fn histogram(values: impl Iterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    let mut n = 0.0;
    for v in values {
        n += 1.0;
        if v >= lo && v < hi {
            counts[(((v - lo) / width) as usize).min(bins - 1)] += 1.0;
        }
    }
    counts.iter().map(|c| if n > 0.0 { c / (n * width) } else { 0.0 }).collect()
}

/// The marginal densities of a 2-D density tabulated on a grid (log values, row by row): along x
/// (summing over y) and along y, each normalised to integrate to one over the grid.
pub fn marginals(grid: &Grid, log_density: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let max = log_density.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let (mut mx, mut my) = (vec![0.0; grid.nx], vec![0.0; grid.ny]);
    for j in 0..grid.ny {
        for i in 0..grid.nx {
            let p = exp(log_density[j * grid.nx + i] - max);
            mx[i] += p;
            my[j] += p;
        }
    }
    let norm = |m: &mut Vec<f64>, step: f64| {
        let total: f64 = m.iter().sum::<f64>() * step;
        if total > 0.0 {
            m.iter_mut().for_each(|v| *v /= total);
        }
    };
    norm(&mut mx, grid.dx());
    norm(&mut my, grid.dy());
    (mx, my)
}

/// Where the drag handle of a Gaussian q's 2σ ellipse sits: μ + 2L(1, 0) for full-rank (its
/// first column: spread along x and the tilt), μ + 2(σ₀, σ₁) for mean-field (the corner of its box).
pub fn ellipse_handle(mean: Vec2, l: &Mat2, structure: Structure) -> Vec2 {
    match structure {
        Structure::FullRank => mean + 2.0 * Vec2::new(l[(0, 0)], l[(1, 0)]),
        Structure::MeanField => mean + 2.0 * Vec2::new(l[(0, 0)], l[(1, 1)]),
    }
}

/// q's drag handle, if q is a Gaussian.
pub fn handle_of(q: &dyn Family) -> Option<Vec2> {
    let (mean, l) = q.gaussian()?;
    Some(ellipse_handle(mean, &l, q.structure()?))
}

/// The Cholesky factor a Gaussian q gets when its handle is dragged to `to` (`None` for a flow).
pub fn drag_handle_to(q: &dyn Family, to: Vec2, min_sd: f64) -> Option<(Vec2, Mat2)> {
    let (mean, l) = q.gaussian()?;
    Some((mean, from_handle(mean, to, &l, q.structure()?, min_sd)))
}

/// The Cholesky factor that puts the handle at `handle` (the inverse of [`ellipse_handle`]),
/// keeping L₁₁ for full-rank; widths stay at least `min_sd`.
pub fn from_handle(mean: Vec2, handle: Vec2, l: &Mat2, structure: Structure, min_sd: f64) -> Mat2 {
    let d = (handle - mean) / 2.0;
    match structure {
        Structure::FullRank => Mat2::new(d[0].max(min_sd), 0.0, d[1], l[(1, 1)]),
        Structure::MeanField => Mat2::new(d[0].abs().max(min_sd), 0.0, 0.0, d[1].abs().max(min_sd)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::target::Box2;

    #[test]
    fn ellipse_handles_invert() {
        let mean = Vec2::new(0.5, -1.0);
        for (l, s) in [
            (Mat2::new(0.7, 0.0, -0.4, 0.3), Structure::FullRank),
            (Mat2::new(0.7, 0.0, 0.0, 0.3), Structure::MeanField),
        ] {
            let h = ellipse_handle(mean, &l, s);
            assert!((from_handle(mean, h, &l, s, 0.01) - l).norm() < 1e-12);
        }
        // The full-rank handle lies on the 2σ ellipse: (h − μ)ᵀ Σ⁻¹ (h − μ) = 4.
        let l = Mat2::new(0.7, 0.0, -0.4, 0.3);
        let d = ellipse_handle(mean, &l, Structure::FullRank) - mean;
        let sigma = l * l.transpose();
        assert!(((d.transpose() * sigma.try_inverse().unwrap() * d)[0] - 4.0).abs() < 1e-9);
        // Dragged through the mean, the ellipse keeps a minimum width.
        assert_eq!(from_handle(mean, mean, &l, Structure::MeanField, 0.05), Mat2::new(0.05, 0.0, 0.0, 0.05));
    }

    #[test]
    fn every_gaussian_family_has_a_handle_and_the_flow_none() {
        use crate::engine::family::FAMILIES;
        for info in FAMILIES {
            let q = (info.build)(&Default::default(), 1).unwrap();
            // Dragging the handle to where it is leaves q as it was.
            match (handle_of(q.as_ref()), q.gaussian()) {
                (Some(h), Some((mean, l))) => {
                    let (m, l2) = drag_handle_to(q.as_ref(), h, 0.01).unwrap();
                    assert!(m == mean && (l2 - l).norm() < 1e-12, "{}", info.name);
                }
                (None, None) => assert!(drag_handle_to(q.as_ref(), Vec2::zeros(), 0.01).is_none()),
                _ => panic!("{}: a handle exactly when q is a Gaussian", info.name),
            }
        }
    }

    #[test]
    fn contour_of_a_paraboloid_is_a_circle() {
        let grid = Grid::new(Box2 { x: (-2.0, 2.0), y: (-2.0, 2.0) }, 81, 81);
        let f = grid.eval(|z| -z.norm_squared());
        let r: f64 = 1.3;
        let segs = contour(&grid, &f, -r * r);
        let mut length = 0.0;
        for (a, b) in &segs {
            for p in [a, b] {
                assert!((p.norm() - r).abs() < 0.01, "point {p:?} off the circle");
            }
            length += (b - a).norm();
        }
        assert!((length - 2.0 * std::f64::consts::PI * r).abs() < 0.02, "circumference {length}");
    }

    #[test]
    fn hpd_levels_of_a_gaussian_match_the_chi_square_quantiles() {
        // For N(0, I₂), {p ≥ c} is a disc holding mass m when its radius² is −2 ln(1 − m), so the
        // level is ln p at that radius: −r²/2 − ln 2π.
        let grid = Grid::new(Box2 { x: (-7.0, 7.0), y: (-7.0, 7.0) }, 400, 400);
        let log_p = grid.eval(|z| -0.5 * z.norm_squared() - (2.0 * std::f64::consts::PI).ln());
        let masses = [0.5, 0.9, 0.99];
        for (level, m) in hpd_levels(&log_p, &masses).iter().zip(masses) {
            let r2 = -2.0 * (1.0 - m).ln();
            let want = -0.5 * r2 - (2.0 * std::f64::consts::PI).ln();
            assert!((level - want).abs() < 0.02, "mass {m}: level {level}, want {want}");
        }
    }

    #[test]
    fn histogram_and_marginals_match_a_gaussian() {
        use crate::engine::math::{rng_from_seed, std_normal2};
        let mut rng = rng_from_seed(1);
        let xs: Vec<f64> = (0..200_000).map(|_| std_normal2(&mut rng)[0]).collect();
        let h = histogram(xs.iter().copied(), -4.0, 4.0, 40);
        let pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        for (k, &v) in h.iter().enumerate() {
            let mid = -4.0 + 0.2 * (k as f64 + 0.5);
            assert!((v - pdf(mid)).abs() < 0.01, "bin {k}: {v} vs {}", pdf(mid));
        }
        // Marginals of N(0, [[1, .8], [.8, 1]]) on a grid are N(0, 1) along each axis.
        let grid = Grid::new(Box2 { x: (-6.0, 6.0), y: (-6.0, 6.0) }, 120, 120);
        let log_p = grid.eval(|z| -(z[0] * z[0] - 1.6 * z[0] * z[1] + z[1] * z[1]) / (2.0 * 0.36));
        let (mx, my) = marginals(&grid, &log_p);
        for i in 0..120 {
            let x = grid.point(i, 0)[0];
            assert!((mx[i] - pdf(x)).abs() < 1e-3 && (my[i] - pdf(x)).abs() < 1e-3, "x = {x}: {} {}", mx[i], my[i]);
        }
    }

    #[test]
    fn heatmap_is_white_where_empty_and_dark_at_the_peak_top_row_first() {
        let log_p = vec![f64::NEG_INFINITY, 0.0, -50.0, -1.0]; // 2×2, row j = 0 then j = 1
        let img = heatmap_rgba(&log_p, 2, 2);
        assert_eq!(&img[8..12], &[247, 251, 255, 255], "bottom-left (j = 0, i = 0) is empty");
        assert_eq!(&img[12..16], &[8, 48, 107, 255], "bottom-right holds the peak");
        assert_eq!(blues(f64::NAN), BLUES[0]);
    }
}
