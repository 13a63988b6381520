#!/usr/bin/env bash
# The UI's translations (Qt Linguist): collect every marked string from ui/ into the .ts catalog, then compile
# it to the .qm the app loads. The .qm is committed so `bash .ci/setup.sh && .venv/bin/python main.py` needs no
# build step; tests/ui/test_i18n.py fails when the .ts misses a string or the .qm is older than the .ts.
#   bash .ci/i18n.sh            # after changing UI text: update the .ts, translate it (pyside6-linguist), run again
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
for lang in zh_CN; do
  "$BIN/pyside6-lupdate" ui/*.py ui/panels/*.py -ts "resources/i18n/controlroom_${lang}.ts" \
      -source-language en -target-language "$lang" -no-obsolete -locations none
  "$BIN/pyside6-lrelease" "resources/i18n/controlroom_${lang}.ts" -qm "resources/i18n/controlroom_${lang}.qm"
done
