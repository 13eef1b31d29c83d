// Gradle settings of the Android shell: where plugins and libraries come from, and its one
// module, :app. The Rust core is built outside Gradle by build-rust.sh (see README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "skillpack-android"
include(":app")
