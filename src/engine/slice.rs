//! Long computations cut into time slices, so the page can spread one over several animation
//! frames (a flow's exact diagnostics take 30–80 ms; a frame has 16).
//!
//! A computation that can be cut is written once, as an `async fn` that passes a [`checkpoint`]
//! now and then. Run to the end at once ([`block_on`], the CLI and the tests) no checkpoint ever
//! pauses, so the numbers are the same either way; run by [`Sliced::resume`] once a frame, a
//! checkpoint pauses when the [`Budget`]'s deadline has passed and the next frame carries on from
//! there. No executor and no threads: a future polled by hand with a waker that does nothing
//! (the pattern of `pollster`, without its blocking, since nothing here ever waits on I/O).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Monte Carlo draws between two checkpoints in a sliced estimate.
pub const CHECK_EVERY: usize = 32;

/// When a slice is over: a deadline on the caller's clock (`performance.now()` in the browser).
pub struct Budget {
    until: Cell<f64>,
    now: Box<dyn Fn() -> f64>,
}

impl Budget {
    /// A budget read on `now`, with no deadline until [`Budget::until`] sets one.
    pub fn new(now: impl Fn() -> f64 + 'static) -> Self {
        Budget { until: Cell::new(f64::INFINITY), now: Box::new(now) }
    }

    /// A budget that never runs out: the computation runs to its end.
    pub fn never() -> Self {
        Budget::new(|| 0.0)
    }

    /// Sets the current slice's deadline.
    pub fn until(&self, deadline: f64) {
        self.until.set(deadline);
    }

    /// Whether the current slice is over (the clock is not read while there is no deadline).
    pub fn spent(&self) -> bool {
        let until = self.until.get();
        until < f64::INFINITY && (self.now)() >= until
    }
}

/// Pauses the computation until its next slice if this one is spent; else goes straight on.
pub async fn checkpoint(budget: &Budget) {
    if budget.spent() {
        YieldOnce(false).await;
    }
}

/// Pending once, then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

/// Runs a computation to its end at once.
pub fn block_on<T>(f: impl Future<Output = T>) -> T {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A computation that owns what it needs, run a slice at a time.
pub struct Sliced<T> {
    future: Pin<Box<dyn Future<Output = T>>>,
    budget: Rc<Budget>,
    /// Slices run so far.
    pub slices: u32,
}

impl<T> Sliced<T> {
    pub fn new(future: impl Future<Output = T> + 'static, budget: Rc<Budget>) -> Self {
        Sliced { future: Box::pin(future), budget, slices: 0 }
    }

    /// Runs until `deadline` on the budget's clock (at least to the next checkpoint), then gives
    /// the result if the computation has ended.
    pub fn resume(&mut self, deadline: f64) -> Option<T> {
        self.budget.until(deadline);
        self.slices += 1;
        match self.future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn count_to(n: u32, budget: &Budget) -> u32 {
        let mut i = 0;
        while i < n {
            i += 1;
            checkpoint(budget).await;
        }
        i
    }

    #[test]
    fn a_spent_budget_pauses_at_every_checkpoint_and_the_result_is_the_same() {
        assert_eq!(block_on(count_to(5, &Budget::never())), 5);
        // A clock that is always past the deadline: one checkpoint per slice.
        let budget = Rc::new(Budget::new(|| 1.0));
        let b = budget.clone();
        let mut s = Sliced::new(async move { count_to(5, &b).await }, budget);
        let mut out = None;
        while out.is_none() {
            out = s.resume(0.0);
        }
        assert_eq!((out, s.slices), (Some(5), 6));
        // A deadline far ahead: one slice.
        let budget = Rc::new(Budget::new(|| 1.0));
        let b = budget.clone();
        let mut s = Sliced::new(async move { count_to(5, &b).await }, budget);
        assert_eq!(s.resume(10.0), Some(5));
    }
}
