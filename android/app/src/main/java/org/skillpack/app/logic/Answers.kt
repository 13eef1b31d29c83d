// Plain Kotlin shared by the app and the JVM test: the answer a quiz screen sends for a
// question kind when the learner keeps what is shown (first choice, order as shown). The
// screens build answers the same way from the learner's taps.
package org.skillpack.app.logic

import org.skillpack.core.Answer
import org.skillpack.core.QuestionViewKind

/** The answer for `kind` as shown, or null for a checklist (an assessor scores those). */
fun answerFor(kind: QuestionViewKind): Answer? = when (kind) {
    is QuestionViewKind.Single -> Answer.Single(kind.options.first().key)
    is QuestionViewKind.Multiple -> Answer.Multiple(listOf(kind.options.first().key))
    is QuestionViewKind.TrueFalse -> Answer.TrueFalse(true)
    is QuestionViewKind.Ordering -> Answer.Ordering(kind.items.map { it.key })
    is QuestionViewKind.Matching -> Answer.Matching(kind.lefts.map { kind.rights.first().key })
    is QuestionViewKind.Numeric -> Answer.Numeric(0.0)
    is QuestionViewKind.ShortText -> Answer.ShortText("")
    is QuestionViewKind.Checklist -> null
}
