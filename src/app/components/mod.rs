//! The page's components, one file each.

mod density_canvas;
mod target_controls;

pub use density_canvas::DensityCanvas;
pub use target_controls::TargetControls;
