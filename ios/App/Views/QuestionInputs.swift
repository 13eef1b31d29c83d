// One input per question kind, each turning the learner's taps into the Answer the core
// expects (options are named by key, never by screen position), or passing what they type to
// the core as typed (the core reads numbers, so every phone reads "1,5" alike). The current
// answer is passed in, so each input only shows it and reports changes. Buttons are
// borderless so that several in one list row each get their own taps.
import SkillpackCore
import SwiftUI

struct QuestionInput: View {
    let kind: QuestionViewKind
    let answer: Answer?
    /// The text a numeric or short-text field starts with (a resumed attempt).
    let typed: String?
    /// The core's words on why it could not read what was typed.
    let refusal: String?
    let onAnswer: (Answer) -> Void
    let onType: (String) -> Void

    var body: some View {
        switch kind {
        case .single(let options):
            ForEach(options, id: \.key) { option in
                choice(option.text, selected: single == option.key, multiple: false) { onAnswer(.single(option.key)) }
            }
        case .multiple(let options):
            ForEach(options, id: \.key) { option in
                choice(option.text, selected: multiple.contains(option.key), multiple: true) { toggle(option.key) }
            }
        case .trueFalse:
            choice(String(localized: "True"), selected: trueFalse == true, multiple: false) { onAnswer(.trueFalse(true)) }
            choice(String(localized: "False"), selected: trueFalse == false, multiple: false) { onAnswer(.trueFalse(false)) }
        case .ordering(let items):
            OrderingInput(items: items, order: ordering, onAnswer: onAnswer)
        case .matching(let lefts, let rights):
            MatchingInput(lefts: lefts, rights: rights, picks: matching, onAnswer: onAnswer)
        case .numeric(let unit):
            TypedInput(placeholder: String(localized: "Number"), unit: unit, numeric: true,
                       typed: typed, refusal: refusal, onType: onType)
        case .shortText:
            TypedInput(placeholder: String(localized: "Your answer"), unit: nil, numeric: false,
                       typed: typed, refusal: refusal, onType: onType)
        case .checklist(let items):
            ForEach(items, id: \.self) { Text("•  \($0)") }
            Text("Your assessor ticks these with you in person.").font(.footnote)
        }
    }

    private var single: UInt32? { if case .single(let key)? = answer { return key } else { return nil } }
    private var multiple: [UInt32] { if case .multiple(let keys)? = answer { return keys } else { return [] } }
    private var trueFalse: Bool? { if case .trueFalse(let value)? = answer { return value } else { return nil } }
    private var ordering: [UInt32]? { if case .ordering(let keys)? = answer { return keys } else { return nil } }
    private var matching: [UInt32?]? { if case .matching(let picks)? = answer { return picks } else { return nil } }

    private func toggle(_ key: UInt32) {
        let chosen = multiple
        onAnswer(.multiple(chosen.contains(key) ? chosen.filter { $0 != key } : (chosen + [key]).sorted()))
    }

    private func choice(_ text: String, selected: Bool, multiple: Bool, action: @escaping () -> Void) -> some View {
        let mark = multiple ? (selected ? "checkmark.square.fill" : "square") : (selected ? "largecircle.fill.circle" : "circle")
        return Button(action: action) {
            HStack {
                Image(systemName: mark)
                Text(text).foregroundColor(.primary)
            }
        }
        .buttonStyle(.borderless)
    }
}

/// Items in the learner's order, moved with up and down buttons.
private struct OrderingInput: View {
    let items: [ChoiceView]
    let order: [UInt32]?
    let onAnswer: (Answer) -> Void

    var body: some View {
        let shown = order?.compactMap { key in items.first { $0.key == key } } ?? items
        ForEach(Array(shown.enumerated()), id: \.element.key) { i, item in
            HStack {
                Text(item.text)
                Spacer()
                Button { move(shown, i, i - 1) } label: { Image(systemName: "chevron.up") }
                    .buttonStyle(.borderless).disabled(i == 0).accessibilityLabel("Move up")
                Button { move(shown, i, i + 1) } label: { Image(systemName: "chevron.down") }
                    .buttonStyle(.borderless).disabled(i == shown.count - 1).accessibilityLabel("Move down")
            }
        }
        // Untouched, the order shown is no answer yet; the learner may give it as it is.
        if order == nil {
            Button("This order is right") { onAnswer(.ordering(items.map(\.key))) }.buttonStyle(.borderless)
        }
    }

    private func move(_ shown: [ChoiceView], _ from: Int, _ to: Int) {
        var keys = shown.map(\.key)
        keys.insert(keys.remove(at: from), at: to)
        onAnswer(.ordering(keys))
    }
}

/// For each left item, a menu of the right choices; the answer lists picks by left key.
private struct MatchingInput: View {
    let lefts: [ChoiceView]
    let rights: [ChoiceView]
    let picks: [UInt32?]?
    let onAnswer: (Answer) -> Void

    var body: some View {
        let size = (lefts.map { Int($0.key) + 1 }.max() ?? 0)
        let current = picks.flatMap { $0.count == size ? $0 : nil } ?? Array(repeating: nil, count: size)
        ForEach(lefts, id: \.key) { left in
            Picker(selection: Binding(
                get: { current[Int(left.key)] },
                set: { pick in
                    var next = current
                    next[Int(left.key)] = pick
                    onAnswer(.matching(next))
                }
            )) {
                Text("Choose…").tag(UInt32?.none)
                ForEach(rights, id: \.key) { Text($0.text).tag(UInt32?.some($0.key)) }
            } label: {
                Text(left.text)
            }
            .pickerStyle(.menu)
        }
    }
}

private struct TypedInput: View {
    let placeholder: String
    let unit: String?
    let numeric: Bool
    let refusal: String?
    let onType: (String) -> Void
    @State private var text: String

    init(placeholder: String, unit: String?, numeric: Bool, typed: String?, refusal: String?,
         onType: @escaping (String) -> Void) {
        self.placeholder = placeholder
        self.unit = unit
        self.numeric = numeric
        self.refusal = refusal
        self.onType = onType
        _text = State(initialValue: typed ?? "")
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                TextField(placeholder, text: $text).keyboardType(numeric ? .decimalPad : .default)
                if let unit { Text(unit) }
            }
            if let refusal { Text(refusal).font(.footnote).foregroundColor(.red) }
        }
        .onChange(of: text) { onType($0) }
    }
}
