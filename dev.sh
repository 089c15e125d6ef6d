#!/usr/bin/env bash
# colorlab's set-up and tasks. Each task creates .venv and installs what it needs first.
#   bash dev.sh lab     install, then open JupyterLab on the explorer notebook
#   bash dev.sh test    install (plus Chromium for the browser tests), then run every test
#   bash dev.sh voila   install, then serve the explorer as a web page (no code cells)
#   bash dev.sh classroom  install, then serve the explorer to a class (Voila, pre-started kernels, downloads;
#                          --host 0.0.0.0 to listen on the network; python -m colorlab.explorer.classroom --help)
#   bash dev.sh bench   install the benchmark peers, then run the benchmarks
#   bash dev.sh docs    install the docs tools, then build the documentation site into docs/_build/html
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${COLORLAB_VENV:-.venv}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  echo "dev.sh: installing $* with apt" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_venv() {
  local extras=$1
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "dev.sh: colorlab needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; "$PYTHON" -m venv "$VENV"; }
  fi
  # the engine (colorlab/_engine/engine.c) is compiled on install: it needs a C compiler
  command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || apt_install gcc libc6-dev
  # reinstall only when what the install builds from (or the extras asked for) changed
  local stamp="$VENV/.installed-$(cat pyproject.toml setup.py colorlab/_engine/engine.c | sha256sum | cut -c1-12)-${extras//,/-}"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[$extras]"
    touch "$stamp"
  fi
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
}

task=${1:-help}
shift || true
case "$task" in
  lab)
    ensure_venv test
    # JupyterLab refuses to start as root (a container, a fresh cloud machine) unless told it may
    [ "$(id -u)" = 0 ] && set -- --allow-root "$@"
    exec "$VENV/bin/jupyter" lab notebooks/02_explorer.ipynb "$@" ;;
  test)
    ensure_venv test
    ensure_chromium
    exec "$VENV/bin/python" -m pytest "$@" ;;
  voila)
    ensure_venv test
    exec "$VENV/bin/voila" notebooks/02_explorer.ipynb "$@" ;;
  classroom)
    ensure_venv test
    exec "$VENV/bin/python" -m colorlab.explorer.classroom "$@" ;;
  bench)
    ensure_venv test,bench
    for script in benchmarks/bench_*.py; do "$VENV/bin/python" "$script" "$@"; done ;;
  docs)
    ensure_venv docs
    # execute the notebooks whose outputs are out of date (a failing cell: one error line), then build;
    # warnings are errors, as in the tests
    "$VENV/bin/python" docs/execute_notebooks.py
    "$VENV/bin/python" -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
    echo "dev.sh: open docs/_build/html/index.html" ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ "$task" = help ] || exit 2 ;;
esac
