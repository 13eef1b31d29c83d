// The outcome of the attempt just submitted, as the core scored it: pass or not, the score,
// and each question's result with its feedback and explanation.
import SkillpackCore
import SwiftUI

struct OutcomeView: View {
    let attempt: AttemptView
    let submitted: SubmitView
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        let outcome = submitted.outcome
        let prompts = Dictionary(attempt.questions.map { ($0.id, $0.prompt) }, uniquingKeysWith: { first, _ in first })
        List {
            Section {
                Text(outcome.passed ? "Passed" : "Not passed").font(.title2.bold())
                Text("\(pointsText(milliPoints: outcome.score)) of \(pointsText(milliPoints: outcome.maxScore)) points")
                if outcome.timedOut {
                    Text("The time ran out before you submitted.").foregroundColor(.red)
                }
            }
            ForEach(outcome.results, id: \.id) { result in
                Section {
                    if let prompt = prompts[result.id] { Text(prompt) }
                    Text("\(correctnessText(result.correctness)) · \(pointsText(milliPoints: result.score)) of \(pointsText(milliPoints: result.maxScore)) points")
                        .font(.subheadline.bold())
                    ForEach(result.feedback, id: \.self) { Text($0) }
                    if let explanation = result.explanation { Text(explanation).font(.callout) }
                }
            }
            Button("Done") { dismiss() }
        }
    }
}

func correctnessText(_ correctness: Correctness) -> String {
    switch correctness {
    case .correct: return String(localized: "Correct")
    case .partial: return String(localized: "Partly correct")
    case .wrong: return String(localized: "Not correct")
    case .unanswered: return String(localized: "Not answered")
    case .awaitingAssessor: return String(localized: "Waiting for your assessor")
    }
}
