#!/usr/bin/env bash
# Install Debian's Chromium and ChromeDriver for the browser tests (tests/api/test_page.py).
# Idempotent: does nothing when both are already installed. Never downloads a browser
# build of its own (playwright drives /usr/bin/chromium).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

if [[ -x "$CHROMIUM" && -x "$DRIVER" ]]; then
    echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "error: installing chromium needs root (or sudo): apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver

if [[ ! -x "$CHROMIUM" || ! -x "$DRIVER" ]]; then
    echo "error: $CHROMIUM or $DRIVER missing after apt-get install" >&2
    exit 1
fi
echo "browser: $("$CHROMIUM" --version 2>/dev/null) installed"
