#!/usr/bin/env bash
# Builds the Rust core for the iOS app, on a Mac with Xcode:
#   1. libskillpack_ffi.a for iPhones (aarch64-apple-ios) and the simulators
#      (aarch64-apple-ios-sim, x86_64-apple-ios), the two simulator ones joined with lipo;
#   2. the Swift bindings, read from the built library (uniffi library mode), into Generated/;
#   3. SkillpackCoreFFI.xcframework: both libraries with the C header and module map.
# All three are git-ignored outputs, used by Package.swift. `cargo xtask ios` is meant to
# replace this script.
#
#   ios/build-xcframework.sh
#
# Needs: Xcode (xcodebuild, lipo) and rustup targets aarch64-apple-ios aarch64-apple-ios-sim
# x86_64-apple-ios. Honours CARGO_TARGET_DIR.
set -euo pipefail

ios=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$ios/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
build=$ios/build
lib=libskillpack_ffi.a
cd "$root"

# Keep equal to Package.swift and project.yml. The C parts (SQLite, zstd) read it too.
export IPHONEOS_DEPLOYMENT_TARGET=15.0

# The `mobile` profile (Cargo.toml; STYLE.md section 11): small code, LTO, one codegen unit.
for triple in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build -p skillpack-ffi --profile mobile --target "$triple"
done

rm -rf "$build"
mkdir -p "$build/simulator" "$build/headers" "$build/swift"
lipo -create \
  "$target/aarch64-apple-ios-sim/mobile/$lib" \
  "$target/x86_64-apple-ios/mobile/$lib" \
  -output "$build/simulator/$lib"

# Bindings: SkillpackCore.swift, SkillpackCoreFFI.h, SkillpackCoreFFI.modulemap (names from
# core/uniffi.toml). Xcode looks for the module map under the name module.modulemap.
"$ios/generate-bindings.sh" "$target/aarch64-apple-ios/mobile/$lib" "$build/swift"
cp "$build/swift/SkillpackCoreFFI.h" "$build/headers/"
cp "$build/swift/SkillpackCoreFFI.modulemap" "$build/headers/module.modulemap"
rm -rf "$ios/Generated"
mkdir -p "$ios/Generated"
cp "$build/swift/SkillpackCore.swift" "$ios/Generated/"

rm -rf "$ios/SkillpackCoreFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target/aarch64-apple-ios/mobile/$lib" -headers "$build/headers" \
  -library "$build/simulator/$lib" -headers "$build/headers" \
  -output "$ios/SkillpackCoreFFI.xcframework"

echo "build-xcframework.sh: $ios/SkillpackCoreFFI.xcframework and $ios/Generated/SkillpackCore.swift" >&2
