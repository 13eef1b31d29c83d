// Plugin versions for the whole Android build, declared once; :app applies them.
// AGP 8.7 needs Gradle 8.9+ and JDK 17; Kotlin 2.1 brings its own Compose compiler plugin.
plugins {
    id("com.android.application") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.1.0" apply false
    id("org.jetbrains.kotlin.plugin.compose") version "2.1.0" apply false
}
