#!/usr/bin/env bash
# Regenerates the Kotlin bindings from a built core library (uniffi library mode: the
# bindings describe exactly what was built). Generated code is build output, never committed.
#
#   android/generate-bindings.sh [--jvm] LIBRARY OUT_DIR
#
# LIBRARY is libskillpack_ffi.so or .a from any build of skillpack-ffi; a stripped .so has no
# symbol table, where uniffi finds its metadata, so use the .a beside it then. Without --jvm
# the bindings are for the app (android/uniffi-android.toml: Android's object cleaner); with
# it, for a plain JVM (the JVM test).
set -euo pipefail
config=(--config android/uniffi-android.toml)
if [ "${1:-}" = --jvm ]; then
  config=()
  shift
fi
[ $# -eq 2 ] || { echo "usage: $0 [--jvm] LIBRARY OUT_DIR" >&2; exit 2; }
lib=$1
out=$2
cd "$(dirname "$0")/.."
rm -rf "$out" # a removed type must not linger
cargo run -q --locked -p uniffi-bindgen -- generate --library "$lib" --language kotlin \
  "${config[@]}" --out-dir "$out" --no-format >/dev/null
[ -s "$out/org/skillpack/core/skillpack_core.kt" ] || {
  echo "generate-bindings.sh: no Kotlin from $lib (stripped? use the .a)" >&2
  exit 1
}
