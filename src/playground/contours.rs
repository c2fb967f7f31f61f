//! q's density contours on the canvas (a flow's or a mixture's: a Gaussian's are ellipses), kept
//! up to date without costing a frame. Tabulating ln q on the grid takes 1936 evaluations of q: 4 ms
//! for the default flow in wasm, 20 ms for the largest, more than a frame has. So the contours are
//! tabulated again only when q has moved enough to be seen (its sample cloud, the same base draws
//! pushed through q, has moved by more than a tolerance the caller gives, half a pixel), and then
//! a slice at a time: the last complete contours stay on screen until the new ones are ready.

use crate::engine::family::Family;
use crate::engine::math::Vec2;
use crate::viz::{contour, hpd_levels, Grid};

/// The masses q's contours enclose.
pub const Q_MASSES: [f64; 2] = [0.5, 0.9];

/// A tabulation under way, of a copy of q as it was when it started.
struct Tabulating {
    q: Box<dyn Family>,
    grid: Grid,
    log_q: Vec<f64>,
    cloud: Vec<Vec2>,
}

/// q's contours as last tabulated, and a tabulation under way.
#[derive(Default)]
pub struct QContours {
    /// The segments of each of [`Q_MASSES`]' contours.
    pub segments: Vec<Vec<(Vec2, Vec2)>>,
    /// The grid and q's cloud they were tabulated for.
    done_for: Option<(Grid, Vec<Vec2>)>,
    pending: Option<Tabulating>,
    /// Tabulations completed (for tests and the curious).
    pub tabulations: u64,
}

impl QContours {
    /// Brings the contours towards q, whose sample cloud is `cloud`: starts a tabulation when q has
    /// moved by more than `tol` (any cloud point) since the contours were tabulated, or the grid
    /// changed, and evaluates ln q until `more()` says stop. With nothing tabulated yet, or when
    /// `more` never says stop, it finishes at once.
    pub fn update(&mut self, q: &dyn Family, cloud: &[Vec2], grid: Grid, tol: f64, more: impl Fn() -> bool) {
        let stale = match &self.done_for {
            None => true,
            Some((g, at)) => *g != grid || at.len() != cloud.len() || moved(at, cloud) > tol,
        };
        let pending_fits = self.pending.as_ref().is_some_and(|p| p.grid == grid);
        if stale && !pending_fits {
            self.pending = Some(Tabulating {
                q: q.box_clone(),
                grid,
                log_q: Vec::with_capacity(grid.nx * grid.ny),
                cloud: cloud.to_vec(),
            });
        }
        let first = self.done_for.is_none();
        let Some(t) = self.pending.as_mut() else { return };
        let n = t.grid.nx * t.grid.ny;
        while t.log_q.len() < n {
            let k = t.log_q.len();
            let row_end = (k / t.grid.nx + 1) * t.grid.nx;
            for k in k..row_end {
                t.log_q.push(t.q.log_q(t.grid.point(k % t.grid.nx, k / t.grid.nx)));
            }
            if t.log_q.len() < n && !first && !more() {
                return;
            }
        }
        let t = self.pending.take().expect("checked above");
        self.segments =
            hpd_levels(&t.log_q, &Q_MASSES).into_iter().map(|level| contour(&t.grid, &t.log_q, level)).collect();
        self.done_for = Some((t.grid, t.cloud));
        self.tabulations += 1;
    }
}

/// The largest distance between corresponding points.
fn moved(a: &[Vec2], b: &[Vec2]) -> f64 {
    a.iter().zip(b).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::family::{self, Gaussian, Structure};
    use crate::engine::math::Mat2;
    use crate::engine::target::Box2;

    fn q_at(mean: f64) -> Box<dyn Family> {
        Box::new(Gaussian::new(Structure::FullRank, Vec2::new(mean, 0.0), &Mat2::identity()))
    }

    const GRID: Grid = Grid { bounds: Box2 { x: (-4.0, 4.0), y: (-4.0, 4.0) }, nx: 20, ny: 20 };

    fn cloud(q: &dyn Family) -> Vec<Vec2> {
        family::cloud(q, &[Vec2::new(0.0, 0.0), Vec2::new(1.0, -1.0)])
    }

    /// The contours of one tabulation equal those of the whole grid at once, however it is sliced;
    /// q is tabulated again only when it has moved by more than the tolerance.
    #[test]
    fn contours_follow_q_only_when_it_moves_and_slices_give_the_same_lines() {
        let q = q_at(0.0);
        let whole = {
            let log_q = GRID.eval(|z| q.log_q(z));
            hpd_levels(&log_q, &Q_MASSES).into_iter().map(|l| contour(&GRID, &log_q, l)).collect::<Vec<_>>()
        };
        let mut c = QContours::default();
        // The first tabulation finishes at once, even with no time to spare.
        c.update(q.as_ref(), &cloud(q.as_ref()), GRID, 0.01, || false);
        assert_eq!((c.tabulations, &c.segments), (1, &whole));
        // Moved less than the tolerance, or by exactly it: nothing to do.
        let near = q_at(0.005);
        c.update(near.as_ref(), &cloud(near.as_ref()), GRID, 0.01, || panic!("nothing to tabulate"));
        let exactly = moved(&cloud(q.as_ref()), &cloud(near.as_ref()));
        c.update(near.as_ref(), &cloud(near.as_ref()), GRID, exactly, || panic!("nothing to tabulate"));
        assert_eq!(c.tabulations, 1);
        // Moved more: one row a call with no time to spare, the old lines shown meanwhile.
        let far = q_at(1.0);
        for _ in 0..GRID.ny - 1 {
            c.update(far.as_ref(), &cloud(far.as_ref()), GRID, 0.01, || false);
            assert_eq!((c.tabulations, &c.segments), (1, &whole));
        }
        c.update(far.as_ref(), &cloud(far.as_ref()), GRID, 0.01, || false);
        assert_eq!(c.tabulations, 2);
        let log_q = GRID.eval(|z| far.log_q(z));
        let moved: Vec<_> = hpd_levels(&log_q, &Q_MASSES).into_iter().map(|l| contour(&GRID, &log_q, l)).collect();
        assert_eq!(c.segments, moved);
        assert_ne!(c.segments, whole);
        // q at the grid's top edge: exactly the grid's points are tabulated (a row beyond it
        // would hold much of q's mass and move the levels).
        let top =
            Box::new(Gaussian::new(Structure::FullRank, Vec2::new(0.0, 3.9), &Mat2::identity())) as Box<dyn Family>;
        let mut edge = QContours::default();
        edge.update(top.as_ref(), &cloud(top.as_ref()), GRID, 0.01, || true);
        let log_q = GRID.eval(|z| top.log_q(z));
        let want: Vec<_> = hpd_levels(&log_q, &Q_MASSES).into_iter().map(|l| contour(&GRID, &log_q, l)).collect();
        assert_eq!(edge.segments, want);
        // A new grid is tabulated afresh.
        let finer = Grid { nx: 30, ny: 30, ..GRID };
        c.update(far.as_ref(), &cloud(far.as_ref()), finer, 0.01, || true);
        assert_eq!(c.tabulations, 3);
    }
}
