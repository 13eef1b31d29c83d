#!/usr/bin/env bash
# Builds the Rust core for the Android app: libskillpack_ffi.so for each ABI into
# app/src/main/jniLibs/<abi>/, then its Kotlin bindings (uniffi library mode, read from the
# built library) into app/build/generated/uniffi/. Both are git-ignored build outputs.
# `cargo xtask android` is meant to replace this script; until then Gradle's preBuild runs it.
#
#   android/build-rust.sh
#
# Needs: rustup targets aarch64-linux-android armv7-linux-androideabi, cargo-ndk, and an NDK
# (ANDROID_NDK_HOME, or the newest under $ANDROID_HOME/ndk). Honours CARGO_TARGET_DIR.
set -euo pipefail

android=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$android/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
jni_libs=$android/app/src/main/jniLibs
bindings=$android/app/build/generated/uniffi
min_sdk=24 # keep equal to minSdk in app/build.gradle.kts
cd "$root"

command -v cargo-ndk >/dev/null || { echo "build-rust.sh: run cargo install cargo-ndk" >&2; exit 3; }

# The `mobile` profile (Cargo.toml; STYLE.md section 11): small code, LTO, one codegen unit,
# stripped. Panics stay `unwind` (uniffi catches them). cargo-ndk copies the .so files.
cargo ndk -t arm64-v8a -t armeabi-v7a --platform "$min_sdk" -o "$jni_libs" \
  build -p skillpack-ffi --profile mobile

# The bindings are the same for every ABI, so they are read from one build. The stripped .so
# has no symbol table, where uniffi finds its metadata; the static library built beside it
# (crate-type staticlib) keeps one. Stale bindings go first so a removed type cannot linger.
"$android/generate-bindings.sh" "$target/aarch64-linux-android/mobile/libskillpack_ffi.a" "$bindings"

echo "build-rust.sh: $(find "$jni_libs" -name 'libskillpack_ffi.so' | wc -l) libraries in $jni_libs," \
  "bindings in $bindings" >&2
