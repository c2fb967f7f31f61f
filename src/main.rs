//! The browser entry point: install the panic hook and mount the app. Nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(vi_playground::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "vi-playground is a browser app: serve it with `./scripts/serve.sh`, or use the `vi-fit` command-line tool."
    );
    std::process::exit(2);
}
