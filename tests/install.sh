#!/usr/bin/env bash
# Install what the tests need: kg with its test extras (pytest, hypothesis, playwright, lxml, pandas,
# SPARQLWrapper and the Oxigraph server from PyPI), Debian's Chromium for the browser tests (Playwright drives
# it; it does not download a browser of its own) and Debian's OWL API with a JDK for the OWL 2 DL profile check.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "tests/install.sh: no apt-get here; install ${need[*]} yourself (browser and OWL API tests)" >&2
  fi
fi
python3 -m pip install -q -e ".[test]"
