// The app module: Compose screens, WorkManager sync, and the Rust core (libskillpack_ffi.so,
// loaded through JNA) with its generated Kotlin bindings (package org.skillpack.core).
// Both come from ../build-rust.sh, which `preBuild` runs; they are git-ignored build outputs:
//   src/main/jniLibs/<abi>/libskillpack_ffi.so     build/generated/uniffi/**.kt
// Pass -Pskillpack.skipRust to build with what build-rust.sh made last.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.skillpack.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.skillpack.app"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The ABIs build-rust.sh builds; cheap phones are arm64 or 32-bit ARM.
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a") }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures { compose = true }

    // The generated bindings compile with the app's own sources.
    sourceSets["main"].java.srcDir("build/generated/uniffi")
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

val buildRust by tasks.registering(Exec::class) {
    description = "Builds libskillpack_ffi.so per ABI into jniLibs and generates its Kotlin bindings."
    workingDir = rootDir
    commandLine("bash", "build-rust.sh")
}

if (!providers.gradleProperty("skillpack.skipRust").isPresent) {
    tasks.named("preBuild") { dependsOn(buildRust) }
}

dependencies {
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.navigation:navigation-compose:2.8.5")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("androidx.work:work-runtime-ktx:2.10.0")
    // The generated bindings call the library through JNA; the AAR carries its native part.
    implementation("net.java.dev.jna:jna:5.14.0@aar")
}
