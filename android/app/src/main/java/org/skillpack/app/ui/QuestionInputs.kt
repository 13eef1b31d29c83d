// One composable per question kind, each turning the learner's taps into the Answer the core
// expects (options are named by key, never by screen position), or passing what they type to
// the core as typed (the core reads numbers, so every phone reads "1,5" alike). The current
// answer is passed in, so each input only shows it and reports changes.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.KeyboardArrowDown
import androidx.compose.material.icons.filled.KeyboardArrowUp
import androidx.compose.material3.Checkbox
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import org.skillpack.app.R
import org.skillpack.app.logic.answerFor
import org.skillpack.core.Answer
import org.skillpack.core.ChoiceView
import org.skillpack.core.QuestionViewKind

/**
 * The input for a question of [kind]. Choices report an [Answer] through [onAnswer]; numeric and
 * short-text fields report their text through [onType], start from [typed] (a resumed attempt)
 * and show [refusal], the core's words on why it could not read the text.
 */
@Composable
fun QuestionInput(
    kind: QuestionViewKind,
    answer: Answer?,
    typed: String?,
    refusal: String?,
    onAnswer: (Answer) -> Unit,
    onType: (String) -> Unit,
) {
    when (kind) {
        is QuestionViewKind.Single -> SingleInput(kind.options, (answer as? Answer.Single)?.v1, onAnswer)
        is QuestionViewKind.Multiple -> MultipleInput(kind.options, (answer as? Answer.Multiple)?.v1.orEmpty(), onAnswer)
        is QuestionViewKind.TrueFalse -> TrueFalseInput((answer as? Answer.TrueFalse)?.v1, onAnswer)
        is QuestionViewKind.Ordering -> OrderingInput(kind, (answer as? Answer.Ordering)?.v1, onAnswer)
        is QuestionViewKind.Matching -> MatchingInput(kind.lefts, kind.rights, (answer as? Answer.Matching)?.v1, onAnswer)
        is QuestionViewKind.Numeric -> TypedInput(typed, refusal, kind.unit, KeyboardType.Decimal, onType)
        is QuestionViewKind.ShortText -> TypedInput(typed, refusal, null, KeyboardType.Text, onType)
        is QuestionViewKind.Checklist -> ChecklistView(kind.items)
    }
}

@Composable
private fun ChoiceRow(selected: Boolean, text: String, multiple: Boolean, onClick: () -> Unit) {
    val select = if (multiple) Modifier.toggleable(selected, onValueChange = { onClick() })
    else Modifier.selectable(selected, onClick = onClick)
    Row(select.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
        if (multiple) Checkbox(selected, onCheckedChange = null) else RadioButton(selected, onClick = null)
        Text(text)
    }
}

@Composable
private fun SingleInput(options: List<ChoiceView>, chosen: UInt?, onAnswer: (Answer) -> Unit) = Column {
    options.forEach { o -> ChoiceRow(chosen == o.key, o.text, multiple = false) { onAnswer(Answer.Single(o.key)) } }
}

@Composable
private fun MultipleInput(options: List<ChoiceView>, chosen: List<UInt>, onAnswer: (Answer) -> Unit) = Column {
    options.forEach { o ->
        ChoiceRow(o.key in chosen, o.text, multiple = true) {
            onAnswer(Answer.Multiple(if (o.key in chosen) chosen - o.key else (chosen + o.key).sorted()))
        }
    }
}

@Composable
private fun TrueFalseInput(chosen: Boolean?, onAnswer: (Answer) -> Unit) = Column {
    ChoiceRow(chosen == true, stringResource(R.string.answer_true), multiple = false) { onAnswer(Answer.TrueFalse(true)) }
    ChoiceRow(chosen == false, stringResource(R.string.answer_false), multiple = false) { onAnswer(Answer.TrueFalse(false)) }
}

/** Items in the learner's order, moved with up and down buttons. */
@Composable
private fun OrderingInput(kind: QuestionViewKind.Ordering, order: List<UInt>?, onAnswer: (Answer) -> Unit) = Column {
    val items = order?.mapNotNull { key -> kind.items.find { it.key == key } } ?: kind.items
    fun move(from: Int, to: Int) {
        val keys = items.map { it.key }.toMutableList()
        keys.add(to, keys.removeAt(from))
        onAnswer(Answer.Ordering(keys))
    }
    items.forEachIndexed { i, item ->
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(item.text, Modifier.weight(1f))
            IconButton(onClick = { move(i, i - 1) }, enabled = i > 0) {
                Icon(Icons.Filled.KeyboardArrowUp, contentDescription = stringResource(R.string.move_up))
            }
            IconButton(onClick = { move(i, i + 1) }, enabled = i < items.lastIndex) {
                Icon(Icons.Filled.KeyboardArrowDown, contentDescription = stringResource(R.string.move_down))
            }
        }
    }
    // Untouched, the order shown is no answer yet; the learner may give it as it is.
    if (order == null) TextButton(onClick = { answerFor(kind)?.let(onAnswer) }) { Text(stringResource(R.string.keep_order)) }
}

/** For each left item, a menu of the right choices; the answer lists picks by left key. */
@Composable
private fun MatchingInput(lefts: List<ChoiceView>, rights: List<ChoiceView>, picks: List<UInt?>?, onAnswer: (Answer) -> Unit) =
    Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
        val size = lefts.maxOfOrNull { it.key.toInt() + 1 } ?: 0
        val current = picks?.takeIf { it.size == size } ?: List(size) { null }
        lefts.forEach { left ->
            var open by remember { mutableStateOf(false) }
            val picked = rights.find { it.key == current[left.key.toInt()] }
            Text(left.text, style = MaterialTheme.typography.bodyMedium)
            Box {
                OutlinedButton(onClick = { open = true }, modifier = Modifier.fillMaxWidth()) {
                    Text(picked?.text ?: stringResource(R.string.choose))
                }
                DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
                    rights.forEach { right ->
                        DropdownMenuItem(text = { Text(right.text) }, onClick = {
                            open = false
                            onAnswer(Answer.Matching(current.toMutableList().also { it[left.key.toInt()] = right.key }))
                        })
                    }
                }
            }
        }
    }

@Composable
private fun TypedInput(typed: String?, refusal: String?, unit: String?, keyboard: KeyboardType, onType: (String) -> Unit) {
    var text by rememberSaveable { mutableStateOf(typed.orEmpty()) }
    OutlinedTextField(
        value = text,
        onValueChange = { text = it; onType(it) },
        suffix = if (unit != null) { { Text(unit) } } else null,
        isError = refusal != null,
        supportingText = if (refusal != null) { { Text(refusal) } } else null,
        keyboardOptions = KeyboardOptions(keyboardType = keyboard),
        singleLine = true,
    )
}

/** A practical checklist: an assessor ticks it in person, so the learner only reads it. */
@Composable
private fun ChecklistView(items: List<String>) = Column {
    items.forEach { Text("•  $it") }
    Text(stringResource(R.string.checklist_note), style = MaterialTheme.typography.bodySmall)
}
