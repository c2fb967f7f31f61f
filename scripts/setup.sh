# shellcheck shell=bash
# Installs what VI Playground needs and does not find, at pinned versions. Sourced by serve.sh and
# test.sh; every step checks first, so a machine that has everything passes through in a second.
#
#   setup_build   Rust's wasm32 target, Trunk, wasm-bindgen-cli (the version Cargo.lock pins),
#                 and the npm tools of package-lock.json (wasm-opt from binaryen, playwright-core,
#                 axe-core)
#   build_pkg     the embeddable package in pkg/ (after setup_build)
#   setup_browser Debian's chromium and chromium-driver, for the browser and end-to-end tests
#
# Nothing is downloaded from GitHub or a CDN: Trunk runs offline (Trunk.toml) and finds the tools
# installed here on PATH.

TRUNK_VERSION="0.21.14"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

# Installs Debian packages by name, once per run updating the package lists first.
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "${APT_UPDATED:-}" ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The version of a crate that Cargo.lock pins.
locked_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

setup_build() {
  command -v cargo >/dev/null && command -v rustup >/dev/null \
    || die "Rust is missing: install it with rustup (rustup.rs), then run this again."

  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "installing Trunk $TRUNK_VERSION (a cold build takes about 8 minutes on 2 cores)"
    cargo install trunk --locked --version "$TRUNK_VERSION"
  fi

  local wbg
  wbg="$(locked_version wasm-bindgen)"
  [ -n "$wbg" ] || die "Cargo.lock pins no wasm-bindgen"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "installing wasm-bindgen-cli $wbg (the version Cargo.lock pins)"
    # Its own lock file can want a crate release the registry no longer serves; then resolve afresh.
    cargo install wasm-bindgen-cli --version "$wbg" --locked --force \
      || cargo install wasm-bindgen-cli --version "$wbg" --force
  fi

  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    say "installing Node.js and npm"
    apt_install nodejs npm || die "Node.js and npm are missing: install them (Node 18 or newer), then run this again."
  fi
  if ! (cd "$ROOT" && npm ls --depth=0 >/dev/null 2>&1); then
    say "installing the npm tools pinned in package-lock.json (binaryen's wasm-opt, playwright-core, axe-core)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_browser() {
  local chromium driver
  chromium="$(command -v chromium || true)"
  driver="$(command -v chromedriver || true)"
  if [ -z "$chromium" ] || [ -z "$driver" ]; then
    say "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver \
      || die "Chromium and ChromeDriver are missing: install them (Debian/Ubuntu: apt-get install chromium chromium-driver), then run this again."
    chromium="$(command -v chromium)"
    driver="$(command -v chromedriver)"
  fi
  local cv dv
  cv="$("$chromium" --version 2>/dev/null | grep -oE '[0-9]+' | head -1)"
  dv="$("$driver" --version 2>/dev/null | grep -oE '[0-9]+' | head -1)"
  [ "$cv" = "$dv" ] || die "Chromium $cv and ChromeDriver $dv differ: install matching versions."
  export CHROMIUM="$chromium" CHROMEDRIVER="$driver"
}

# Builds the embeddable package into pkg/: the library as a wasm module with `mount(element,
# settings)`, bound by wasm-bindgen for `<script type="module">` (the output of
# `wasm-pack build --target web`, by hand), size-optimised by wasm-opt, with the stylesheet.
# What the page loads, gzip -9, file by file and in all (the size budget is tests/e2e/size.test.mjs).
dist_sizes() {
  local total=0 gz
  for f in dist/*.wasm dist/*.js dist/*.css dist/*.html; do
    gz=$(gzip -9c "$f" | wc -c)
    total=$((total + gz))
    say "$(printf '%8d B gz %8d B raw  %s' "$gz" "$(wc -c < "$f")" "$f")"
  done
  say "dist/: $total bytes gzipped in all"
}

build_pkg() {
  local wasm="$ROOT/target/wasm32-unknown-unknown/web/vi_playground.wasm"
  cargo rustc --locked --lib --profile web --target wasm32-unknown-unknown --crate-type cdylib
  mkdir -p "$ROOT/pkg"
  find "$ROOT/pkg" -mindepth 1 ! -name .gitkeep -delete
  wasm-bindgen --target web --no-typescript --out-dir "$ROOT/pkg" --out-name vi_playground "$wasm"
  # --converge, --low-memory-unused (Rust's data starts at 1 MiB) and --zero-filled-memory (a new
  # memory is zeros) save 1.8 KB gzipped; -Os and --gufa saved less or grew it (issue 18's note).
  wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-multivalue --enable-mutable-globals --converge --low-memory-unused --zero-filled-memory \
    "$ROOT/pkg/vi_playground_bg.wasm" -o "$ROOT/pkg/vi_playground_bg.wasm"
  cp "$ROOT/style/app.css" "$ROOT/pkg/vi-playground.css"
  say "built pkg/: $(cat "$ROOT"/pkg/*.wasm "$ROOT"/pkg/*.js | gzip -9 | wc -c) bytes of wasm + JS gzipped"
}
