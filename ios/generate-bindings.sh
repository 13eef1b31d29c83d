#!/usr/bin/env bash
# Regenerates the Swift bindings (SkillpackCore.swift, and the C header and module map of
# SkillpackCoreFFI) from a built core library, in uniffi library mode. Build output, never
# committed. Runs anywhere: the test command runs it on the host build to keep it working.
#
#   ios/generate-bindings.sh LIBRARY OUT_DIR
#
# LIBRARY is libskillpack_ffi.a (or an unstripped .so/.dylib) from any build of skillpack-ffi.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 LIBRARY OUT_DIR" >&2; exit 2; }
lib=$1
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"
cargo run -q --locked -p uniffi-bindgen -- generate --library "$lib" --language swift \
  --out-dir "$out" --no-format >/dev/null
for f in SkillpackCore.swift SkillpackCoreFFI.h SkillpackCoreFFI.modulemap; do
  [ -s "$out/$f" ] || { echo "generate-bindings.sh: no $f from $lib (stripped?)" >&2; exit 1; }
done
