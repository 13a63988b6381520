#!/usr/bin/env bash
# The README's screenshots, taken from the app itself (main.py --screenshot): the operator's window at 1366×768
# and the host's cue screen, in Simplified Chinese, on the sample show a few seconds after Start show.
#   bash resources/screenshots/make.sh          # needs Xvfb (installed by .ci/setup.sh) unless $DISPLAY is set
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=resources/screenshots
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
shoot() {  # WxH, main png, cue png
  .venv/bin/python main.py --data-dir "$DATA/$1" --lang zh_CN --size "$1" --start \
      --screenshot "$OUT/$2" --screenshot-cue "$OUT/$3" --screenshot-after 9
}
if [ -z "${DISPLAY:-}" ]; then
  # a real X server (not Qt's offscreen platform): fonts and window sizes as an operator sees them
  export QT_QPA_PLATFORM=xcb
  xvfb-run -a -s "-screen 0 1366x768x24 -nolisten tcp" bash -c "$(declare -f shoot); OUT=$OUT DATA=$DATA; \
      shoot 1366x768 main_1366x768_zh_CN.png cue_1366x768_zh_CN.png"
else
  shoot 1366x768 main_1366x768_zh_CN.png cue_1366x768_zh_CN.png
fi
ls -l "$OUT"/*.png
