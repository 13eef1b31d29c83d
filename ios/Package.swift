// swift-tools-version:5.9
// The Rust core for the iOS app, as a Swift package: the static library in an xcframework
// (binary target SkillpackCoreFFI, carrying the C header and module map uniffi generates) and
// the generated Swift bindings (module SkillpackCore). build-xcframework.sh makes both; they
// are git-ignored build outputs. The app (project.yml) depends on this package.
import PackageDescription

let package = Package(
    name: "SkillpackCore",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "SkillpackCore", targets: ["SkillpackCore"]),
    ],
    targets: [
        .binaryTarget(name: "SkillpackCoreFFI", path: "SkillpackCoreFFI.xcframework"),
        .target(
            name: "SkillpackCore",
            dependencies: ["SkillpackCoreFFI"],
            path: "Generated",
            linkerSettings: [
                // A static Rust library does not carry its system links: randomness (getrandom,
                // ring) comes from Security, the time zone (chrono) from CoreFoundation.
                .linkedFramework("Security"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
    ],
    // The generated bindings target Swift 5 language mode.
    swiftLanguageVersions: [.v5]
)
