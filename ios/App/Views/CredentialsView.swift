// Credentials (Open Badges) arrive with the core's credential feature; until then this tab
// says so and shows nothing made up.
import SwiftUI

struct CredentialsView: View {
    var body: some View {
        Text("Credentials are coming with the credential feature.")
            .multilineTextAlignment(.center)
            .padding()
            .navigationTitle("Credentials")
    }
}
