#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the console's browser tests and bench (playwright-core
# drives it; no browser is downloaded): installs the `chromium` package if missing, as root. Idempotent.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: Chromium is not installed; install Debian's chromium package (apt-get install chromium)" >&2
  exit 1
fi
echo "installing Chromium from Debian's packages" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
/usr/bin/chromium --version >&2
