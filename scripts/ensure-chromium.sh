#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the console's browser tests and bench (playwright-core
# drives it; no browser is downloaded), with a font for Chinese (fonts-wqy-zenhei: the zh-CN pages' screenshots
# would show empty boxes without one): installs the packages missing, as root. Idempotent.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/wqy ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: Chromium or a Chinese font is missing; install Debian's packages: apt-get install chromium fonts-wqy-zenhei" >&2
  exit 1
fi
echo "installing Chromium and a Chinese font from Debian's packages" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >&2
/usr/bin/chromium --version >&2
