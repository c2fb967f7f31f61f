//! The canvases; the live loop draws them, these hand over the elements and turn pointer drags
//! (mouse, pen or touch) and arrow keys into edits of q while the fit is paused.

use leptos::prelude::*;
use web_sys::PointerEvent;

use crate::app::live::Live;
use crate::app::plots::main::marked_mean;
use crate::engine::math::Vec2;
use crate::viz::{drag_handle_to, handle_of};

/// How near (CSS pixels) a press must be to q's mean or handle to grab it: a fingertip's width.
const GRAB_PX: f64 = 22.0;
/// Narrowest sd a dragged ellipse may get.
const MIN_SD: f64 = 0.02;
/// How far an arrow key moves q's mean.
const KEY_STEP: f64 = 0.1;

#[derive(Clone, Copy, PartialEq)]
enum Grab {
    Mean(Vec2),
    Handle,
    /// A mixture's component k, by its centre.
    Component(usize, Vec2),
}

/// Pane `pane`'s canvas: the target, the MCMC draws and that fit's q.
#[component]
pub fn MainCanvas(live: Live, pane: usize) -> impl IntoView {
    let node = NodeRef::<leptos::html::Canvas>::new();
    let p = live.panes[pane];
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.watch_size(&el);
            p.canvas.set_value(Some(el));
            p.base_layer.set_value(None);
            live.redraw(true);
        }
    });
    on_cleanup(move || {
        if let Some(el) = p.canvas.get_value() {
            live.unwatch_size(&el);
        }
        p.canvas.set_value(None);
    });
    let grab = StoredValue::new_local(None::<Grab>);
    // The point under the pointer, in the target's coordinates.
    let world = move |ev: &PointerEvent| {
        p.base_layer.with_value(|b| b.as_ref().map(|b| b.to_world((ev.offset_x() as f64, ev.offset_y() as f64))))
    };
    // Hands off while the fit plays or a link replays.
    let busy = move || live.playing.get_untracked() || live.replay.get_untracked().is_some();
    let on_down = move |ev: PointerEvent| {
        if busy() {
            return;
        }
        let at = (ev.offset_x() as f64, ev.offset_y() as f64);
        let near = |z: Vec2| {
            p.base_layer.with_value(|b| {
                b.as_ref().is_some_and(|b| {
                    let (x, y) = b.to_css(z);
                    (x - at.0).hypot(y - at.1) < GRAB_PX
                })
            })
        };
        let (mean, handle, centres) = p.fit.with_value(|f| {
            f.as_ref().map_or((None, None, Vec::new()), |f| {
                let centres = f.family().components().map_or(Vec::new(), |c| c.iter().map(|c| c.0).collect());
                (Some(marked_mean(f.family())), handle_of(f.family()), centres)
            })
        });
        // A component's centre before q's mean: the mean of a mixture may sit on one of them.
        let component = centres.iter().position(|&c| near(c));
        let g = if handle.is_some_and(near) {
            Some(Grab::Handle)
        } else if let Some(k) = component {
            world(&ev).map(|z| Grab::Component(k, z))
        } else if mean.is_some_and(near) {
            world(&ev).map(Grab::Mean)
        } else {
            None
        };
        if g.is_some() {
            grab.set_value(g);
            if let Some(el) = node.get_untracked() {
                let _ = el.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
        }
    };
    let on_move = move |ev: PointerEvent| {
        let Some(g) = grab.get_value() else { return };
        let Some(z) = world(&ev) else { return };
        if busy() {
            grab.set_value(None);
            return;
        }
        match g {
            Grab::Mean(last) => {
                live.drag(pane, false, |f| f.shift(z - last));
                grab.set_value(Some(Grab::Mean(z)));
            }
            Grab::Component(k, last) => {
                live.drag(pane, false, |f| f.shift_stratum(k, z - last));
                grab.set_value(Some(Grab::Component(k, z)));
            }
            Grab::Handle => live.drag(pane, false, |f| match drag_handle_to(f.family(), z, MIN_SD) {
                Some((mean, l)) => f.set_gaussian(mean, &l),
                None => Ok(()),
            }),
        }
    };
    // The exact numbers and the charts catch up with where the drag ended.
    let on_up = move |_: PointerEvent| {
        if grab.get_value().is_some() {
            grab.set_value(None);
            live.settle(pane, true);
        }
    };
    // With the canvas focused and the fit paused, arrow keys move q's mean.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if busy() {
            return;
        }
        let d = match ev.key().as_str() {
            "ArrowLeft" => Vec2::new(-KEY_STEP, 0.0),
            "ArrowRight" => Vec2::new(KEY_STEP, 0.0),
            "ArrowUp" => Vec2::new(0.0, KEY_STEP),
            "ArrowDown" => Vec2::new(0.0, -KEY_STEP),
            _ => return,
        };
        ev.prevent_default();
        ev.stop_propagation();
        live.drag(pane, true, |f| f.shift(d));
    };
    let label = move || {
        let c = live.controls.get();
        let family = if pane == 0 { c.settings.family } else { live.second.get().family };
        format!(
            "The {} target's density (blue) and the {family} fit q. While paused, drag q's mean, its square handle or a mixture component's centre, or use the arrow keys.",
            c.settings.target
        )
    };
    view! {
        <canvas node_ref=node class="main-canvas" class:paused=move || !live.playing.get()
            data-testid=if pane == 0 { "main-canvas" } else { "main-canvas-2" }
            role="img" tabindex="0" aria-label=label
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
            on:keydown=on_key></canvas>
    }
}

/// What the colours on the main canvas mean. `beside`: the copy in the side column, which
/// presenter mode shows instead of the one under the canvases, to give the fit the height.
#[component]
pub fn Legend(#[prop(optional)] beside: bool) -> impl IntoView {
    view! {
        <p class="legend" class:beside=beside>
            <span><span class="swatch target"></span>"target p: density, 50/90/99 % regions"</span>
            <span><span class="swatch q"></span>"fit q: samples, 1σ/2σ ellipses or 50/90 % regions, mean ×, handle ■"</span>
            <span><span class="swatch mcmc"></span>"MCMC draws"</span>
        </p>
    }
}

#[component]
pub fn ElboChart(live: Live) -> impl IntoView {
    let node = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            live.watch_size(&el);
            live.elbo_canvas.set_value(Some(el));
            live.redraw(true);
        }
    });
    view! {
        <canvas node_ref=node class="elbo-canvas" data-testid="elbo-canvas" role="img"
            aria-label="ELBO estimates, their running average and ln Z; below, the exact KL divergences"></canvas>
    }
}
