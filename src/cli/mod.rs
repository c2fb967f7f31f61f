//! The native command-line tools over the engine (`src/bin/` holds only their entry points).

pub mod fit;
