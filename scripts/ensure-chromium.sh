#!/usr/bin/env bash
# Debian packages the tests need. Browser tests drive Debian's chromium through Playwright (no browser download);
# a CJK font makes the screenshots (test artefacts) readable.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v mosquitto_pub >/dev/null || need+=(mosquitto-clients)  # IoT tests publish with it
command -v ffmpeg >/dev/null || need+=(ffmpeg)  # video probes read RTSP snapshots through it
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
/usr/bin/chromium --version
