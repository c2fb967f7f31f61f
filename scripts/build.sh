#!/usr/bin/env bash
# Sets up whatever is missing, then builds the static site into dist/ (release, size-optimised):
# copy dist/ to any web server; it needs no server-side code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
setup_build
trunk build --release
build_pkg
dist_sizes
