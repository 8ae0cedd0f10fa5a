#!/usr/bin/env bash
# Install what the tests need: kg with its test extras (pytest, hypothesis, playwright, lxml, pandas and the
# Oxigraph server from PyPI) and Debian's Chromium for the browser tests (Playwright drives it; it does not
# download a browser of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "tests/install.sh: no apt-get here; install Chromium yourself for the browser tests" >&2
  fi
fi
python3 -m pip install -q -e ".[test]"
