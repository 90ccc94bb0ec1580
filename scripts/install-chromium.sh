#!/usr/bin/env bash
# Installs Debian's chromium (driven by playwright-core in the docs test) and CJK fonts (so the
# Chinese text in screenshots is readable). Never downloads a browser build of its own.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then echo "install-chromium: run as root to apt-get install ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
