//! `vi-mcmc`: see [`vi_playground::cli::mcmc`]. Native only.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    vi_playground::cli::mcmc::main(std::env::args().skip(1).collect())
}

#[cfg(target_arch = "wasm32")]
fn main() {}
