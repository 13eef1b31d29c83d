// An attempt at a module's quiz: the core starts it (or refuses, say while cooling down), each
// answer goes to the core as soon as the learner gives it, and submit returns the outcome.
// Nothing is scored or timed here.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateMapOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.core.Answer
import org.skillpack.core.AttemptView
import org.skillpack.core.QuestionView
import org.skillpack.core.SkillpackException

@Composable
fun QuizScreen(vm: AppViewModel, moduleId: String, onSubmitted: () -> Unit) {
    Loaded(moduleId, { vm.call { startAttempt(moduleId) }.also { vm.attempt = it } }) { attempt, _ ->
        Attempt(vm, attempt, onSubmitted)
    }
}

@Composable
private fun Attempt(vm: AppViewModel, attempt: AttemptView, onSubmitted: () -> Unit) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    // A resumed attempt shows the answers already given.
    val answers = remember(attempt) { mutableStateMapOf<String, Answer>().apply { putAll(attempt.answers) } }
    var error by remember { mutableStateOf<String?>(null) }
    var submitting by remember { mutableStateOf(false) }

    // Why the core could not read what was typed, by question id (the field shows it).
    val refusals = remember(attempt) { mutableStateMapOf<String, String>() }

    fun give(question: QuestionView, given: Answer) {
        answers[question.id] = given
        vm.post(onError = { error = errorText(context, it) }) { this.answer(attempt.moduleId, question.id, given) }
    }

    fun type(question: QuestionView, text: String) {
        scope.launch {
            try {
                // In order with every other call: the answer kept is the last text typed.
                vm.call { answerTyped(attempt.moduleId, question.id, text) }
                refusals.remove(question.id)
            } catch (e: SkillpackException.InvalidInput) {
                refusals[question.id] = e.detail
            } catch (e: SkillpackException) {
                error = errorText(context, e)
            }
        }
    }

    fun submit() {
        submitting = true
        scope.launch {
            try {
                // Runs after every answer posted before it (one core thread, in order).
                vm.submitted = vm.call { this.submit(attempt.moduleId) }
                onSubmitted()
            } catch (e: SkillpackException) {
                error = errorText(context, e)
                submitting = false
            }
        }
    }

    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Text(stringResource(R.string.attempt_number, attempt.number.toInt()), style = MaterialTheme.typography.titleLarge)
        }
        itemsIndexed(attempt.questions, key = { _, q -> q.id }) { i, question ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(stringResource(R.string.question_header, i + 1, question.points.toInt()), style = MaterialTheme.typography.labelLarge)
                    Text(question.prompt, style = MaterialTheme.typography.bodyLarge)
                    QuestionInput(
                        question.kind,
                        answers[question.id],
                        typed = attempt.typed[question.id],
                        refusal = refusals[question.id],
                        onAnswer = { give(question, it) },
                        onType = { type(question, it) },
                    )
                }
            }
        }
        item {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                Button(onClick = { submit() }, enabled = !submitting, modifier = Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.submit))
                }
            }
        }
    }
}
