#!/usr/bin/env bash
# Installs what the real-OBS integration tests (tests/integration/test_obs_integration.py -> tests/integration/obs) need on a
# Debian/Ubuntu CI machine: OBS Studio (29 on bookworm, obs-websocket 5.1 built in), a virtual X
# display, ffmpeg (test pattern + viewer probe), nginx with the RTMP module (the ingest), Mesa for
# OBS's software GL, a font, and `ip`/`unshare` for the private network namespace the tests run in.
# Idempotent: installs only what is missing. Retries while another apt/dpkg holds the lock.
set -euo pipefail

PKGS=(obs-studio xvfb ffmpeg nginx libnginx-mod-rtmp libgl1-mesa-dri libegl-mesa0 fonts-dejavu-core
      iproute2 util-linux)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "==> real-OBS test dependencies already installed"
  exit 0
fi

echo "==> installing for the real-OBS tests: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# nginx's package would start a system nginx on port 80; the tests run their own, so don't start it.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  if $SUDO apt-get -o DPkg::Lock::Timeout=60 update -q \
     && $SUDO apt-get -o DPkg::Lock::Timeout=60 install -y -q --no-install-recommends "${missing[@]}"; then
    ok=1; break
  fi
  echo "apt busy or failed (attempt $i), retrying in 10 s"; sleep 10
done
[ "$ok" = 1 ] || { echo "could not install: ${missing[*]}" >&2; exit 1; }
echo "==> real-OBS test dependencies ready"
