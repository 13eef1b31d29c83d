// The outcome of the attempt just submitted, as the core scored it: pass or not, the score,
// and each question's result with its feedback and explanation.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.core.Correctness
import org.skillpack.core.QuestionResult
import org.skillpack.core.pointsText

@Composable
fun OutcomeScreen(vm: AppViewModel, onDone: () -> Unit, onResults: () -> Unit) {
    val outcome = vm.submitted?.outcome ?: return Text(stringResource(R.string.no_outcome), Modifier.padding(24.dp))
    val prompts = vm.attempt?.questions?.associate { it.id to it.prompt }.orEmpty()
    LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(
                    stringResource(if (outcome.passed) R.string.outcome_passed else R.string.outcome_not_passed),
                    style = MaterialTheme.typography.headlineSmall,
                )
                Text(stringResource(R.string.score_of, pointsText(outcome.score), pointsText(outcome.maxScore)))
                if (outcome.timedOut) Text(stringResource(R.string.timed_out), color = MaterialTheme.colorScheme.error)
            }
        }
        items(outcome.results, key = { it.id }) { result -> ResultCard(result, prompts[result.id]) }
        item {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = onDone) { Text(stringResource(R.string.back_to_library)) }
                OutlinedButton(onClick = onResults) { Text(stringResource(R.string.tab_results)) }
            }
        }
    }
}

@Composable
private fun ResultCard(result: QuestionResult, prompt: String?) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            prompt?.let { Text(it, style = MaterialTheme.typography.bodyLarge) }
            Text(
                "${correctnessText(result.correctness)} · " +
                    stringResource(R.string.score_of, pointsText(result.score), pointsText(result.maxScore)),
                style = MaterialTheme.typography.labelLarge,
            )
            result.feedback.forEach { Text(it) }
            result.explanation?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        }
    }
}

@Composable
private fun correctnessText(c: Correctness): String = stringResource(
    when (c) {
        Correctness.CORRECT -> R.string.correct
        Correctness.PARTIAL -> R.string.partial
        Correctness.WRONG -> R.string.wrong
        Correctness.UNANSWERED -> R.string.unanswered
        Correctness.AWAITING_ASSESSOR -> R.string.awaiting_assessor
    },
)
