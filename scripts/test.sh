#!/usr/bin/env bash
# Sets up whatever is missing, then runs every test and fails if any part fails:
#   1. native:  cargo test (the engine and all pure logic)
#   2. browser: wasm-bindgen-test in headless Chromium (engine in wasm, components in the DOM)
#   3. end-to-end: the release build served on 127.0.0.1, driven by Playwright in Chromium
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
setup_build
setup_browser

log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT
started=$SECONDS
step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "native tests (cargo test)"
cargo test --locked 2>&1 | tee "$log/native"

step "browser tests (wasm-bindgen-test in headless Chromium)"
# The wasm engine must reproduce the native engine's numbers bit for bit: compute them natively.
cargo build --locked --release --bin vi-fit
VI_NATIVE_REFERENCE="$(./target/release/vi-fit --target banana --family full-rank --samples 8 --lr 0.05 --steps 2000 --seed 42)"
VI_NATIVE_REFERENCE_FLOW="$(./target/release/vi-fit --target banana --family flow --steps 3000 --seed 1)"
# And the native steps per second the browser's benchmark prints its own beside.
VI_NATIVE_BENCH="$(./target/release/vi-fit --bench-objectives --seconds 0.3)"
export VI_NATIVE_REFERENCE VI_NATIVE_REFERENCE_FLOW VI_NATIVE_BENCH
cargo test --locked --target wasm32-unknown-unknown --test web 2>&1 | tee "$log/browser"
# The benchmark among them prints what a refresh of the exact numbers costs in wasm (vi-fit --bench
# prints it natively); its output shows only with --nocapture.
cargo test --locked --target wasm32-unknown-unknown --test web prints_the_cost -- --nocapture 2>&1 |
  sed -n '/^refresh of the exact/,/^test /p'
cargo test --locked --target wasm32-unknown-unknown --test web prints_steps_per_second -- --nocapture 2>&1 |
  sed -n '/^steps\/s on the banana/,/^test /p'

step "end-to-end tests (release build, Playwright + Chromium)"
trunk build --release
build_pkg
dist_sizes
node --test tests/e2e/ 2>&1 | tee "$log/e2e"

# One closing line over the three runners (each printed its own above).
sum_in() { { grep -hoE "$2" "$log/$1" || true; } | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
native=$(sum_in native '[0-9]+ passed')
browser=$(sum_in browser '[0-9]+ passed')
e2e=$(sum_in e2e '^# pass [0-9]+')
failed=$(( $(sum_in native '[0-9]+ failed') + $(sum_in browser '[0-9]+ failed') + $(sum_in e2e '^# fail [0-9]+') ))
printf '\nnative %s, browser %s, end-to-end %s tests passed in %ss\n' "$native" "$browser" "$e2e" "$(( SECONDS - started ))"
echo "all: $(( native + browser + e2e )) passed, $failed failed"
[ "$failed" = 0 ]
