#!/usr/bin/env bash
# Installs everything Control Room needs on a fresh Debian/Ubuntu machine with Python 3.11:
# the system packages Qt needs (and CJK fonts), a virtual environment in .venv, and the project.
#   bash .ci/setup.sh          # to run the app
#   bash .ci/setup.sh --test   # also the test tools and what the real-OBS integration tests need
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TESTS=0
[ "${1:-}" = "--test" ] && WITH_TESTS=1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PKGS=(python3-venv python3-pip
      libgl1 libegl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 fonts-noto-cjk
      fonts-noto-color-emoji
      xvfb xauth libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
if [ "$WITH_TESTS" = 1 ]; then
  PKGS+=(poppler-utils)  # the recap test turns the PDF's first page into a PNG with pdftoppm
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  for i in 1 2 3 4 5 6; do $SUDO apt-get -o DPkg::Lock::Timeout=60 update -q && break; echo "apt busy, retrying"; sleep 10; done
  for i in 1 2 3 4 5 6; do
    $SUDO apt-get -o DPkg::Lock::Timeout=60 install -y -q --no-install-recommends "${missing[@]}" && break
    echo "apt busy, retrying"; sleep 10
  done
fi
if [ "$WITH_TESTS" = 1 ]; then
  # The stream guard's integration tests run a real OBS Studio against a local nginx-rtmp ingest in a
  # private network namespace: OBS, Xvfb, ffmpeg, nginx-rtmp, Mesa, iproute2/unshare.
  bash .ci/obs_setup.sh
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
echo "==> installing the project into .venv"
.venv/bin/python -m pip install -q --upgrade pip
if [ "$WITH_TESTS" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "==> ready"
