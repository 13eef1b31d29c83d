// An attempt at a module's quiz: the core starts it (or refuses, say while cooling down),
// each answer goes to the core as soon as the learner gives it, and submit returns the
// outcome, shown in place. Nothing is scored or timed here.
import SkillpackCore
import SwiftUI

struct QuizView: View {
    let moduleId: String
    @State private var finished: (attempt: AttemptView, submitted: SubmitView)?

    var body: some View {
        Group {
            if let finished {
                OutcomeView(attempt: finished.attempt, submitted: finished.submitted)
            } else {
                Loaded(load: { try await Core.shared.call { try $0.startAttempt(moduleId: moduleId) } }) { attempt, _ in
                    AttemptForm(attempt: attempt) { finished = (attempt, $0) }
                }
            }
        }
        .navigationTitle("Quiz")
    }
}

private struct AttemptForm: View {
    let attempt: AttemptView
    let onSubmitted: (SubmitView) -> Void
    @State private var answers: [String: Answer]
    /// Why the core could not read what was typed, by question id (the field shows it).
    @State private var refusals: [String: String] = [:]
    @State private var error: String?
    @State private var submitting = false

    init(attempt: AttemptView, onSubmitted: @escaping (SubmitView) -> Void) {
        self.attempt = attempt
        self.onSubmitted = onSubmitted
        // A resumed attempt shows the answers already given.
        _answers = State(initialValue: attempt.answers)
    }

    var body: some View {
        List {
            Text("Attempt \(attempt.number)").font(.title2)
            ForEach(Array(attempt.questions.enumerated()), id: \.element.id) { i, question in
                Section(header: Text("Question \(i + 1) · \(question.points) points")) {
                    Text(question.prompt)
                    QuestionInput(kind: question.kind, answer: answers[question.id],
                                  typed: attempt.typed[question.id], refusal: refusals[question.id],
                                  onAnswer: { give(question, $0) }, onType: { type(question, $0) })
                }
            }
            Section {
                if let error { Text(error).foregroundColor(.red) }
                Button("Submit answers", action: submit).disabled(submitting)
            }
        }
    }

    private func give(_ question: QuestionView, _ answer: Answer) {
        answers[question.id] = answer
        let module = attempt.moduleId
        Core.shared.post({ try $0.answer(moduleId: module, questionId: question.id, answer: answer) },
                         failed: { error = describe($0) })
    }

    /// In order with every other call, so the answer kept is the last text typed.
    private func type(_ question: QuestionView, _ text: String) {
        let module = attempt.moduleId
        Core.shared.post({ try $0.answerTyped(moduleId: module, questionId: question.id, text: text) },
                         succeeded: { refusals[question.id] = nil },
                         failed: { error in
                             if case SkillpackError.InvalidInput(let detail) = error {
                                 refusals[question.id] = detail
                             } else {
                                 self.error = describe(error)
                             }
                         })
    }

    private func submit() {
        submitting = true
        let module = attempt.moduleId
        Task { @MainActor in
            do {
                // Queued after every answer posted before it (one core queue, in order).
                onSubmitted(try await Core.shared.call { try $0.submit(moduleId: module) })
            } catch {
                self.error = describe(error)
                submitting = false
            }
        }
    }
}
