#!/usr/bin/env bash
# Sets up whatever is missing, then builds the playground (release) and serves it on
# http://127.0.0.1:${PORT:-8080}/ , rebuilding when a source file changes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
setup_build
PORT="${PORT:-8080}"
say "serving VI Playground at http://127.0.0.1:$PORT/  (Ctrl-C stops)"
exec trunk serve --release --address 127.0.0.1 --port "$PORT"
