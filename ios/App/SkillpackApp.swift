// The app's entry: four tabs (library, results, credentials, settings). It registers the
// background sync before launch ends, as BackgroundTasks requires, and asks for the next one
// each time the app goes to the background.
import SwiftUI

@main
struct SkillpackApp: App {
    @Environment(\.scenePhase) private var phase

    init() {
        BackgroundSync.register()
    }

    var body: some Scene {
        WindowGroup {
            TabView {
                NavigationView { LibraryView() }
                    .navigationViewStyle(.stack)
                    .tabItem { Label("Library", systemImage: "books.vertical") }
                NavigationView { ResultsView() }
                    .navigationViewStyle(.stack)
                    .tabItem { Label("Results", systemImage: "list.bullet") }
                NavigationView { CredentialsView() }
                    .navigationViewStyle(.stack)
                    .tabItem { Label("Credentials", systemImage: "rosette") }
                NavigationView { SettingsView() }
                    .navigationViewStyle(.stack)
                    .tabItem { Label("Settings", systemImage: "gear") }
            }
        }
        .onChange(of: phase) { phase in
            if phase == .background { BackgroundSync.schedule() }
        }
    }
}
