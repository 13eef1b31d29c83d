// The learner's results, newest first: score, pass, when, and whether a hub has it yet. Each
// signed record can be shared as it is (its JSON verifies anywhere).
package org.skillpack.app.ui

import android.content.Intent
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Share
import androidx.compose.material3.Card
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.core.ResultView
import org.skillpack.core.pointsText

@Composable
fun ResultsScreen(vm: AppViewModel) {
    Loaded(Unit, { vm.call { results() }.asReversed() }) { results, _ ->
        if (results.isEmpty()) {
            Text(stringResource(R.string.no_results), Modifier.padding(24.dp))
        } else LazyColumn(contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            items(results, key = { it.recordId }) { ResultRow(it) }
        }
    }
}

@Composable
private fun ResultRow(result: ResultView) {
    val context = LocalContext.current
    val share = stringResource(R.string.share_record)
    Card(Modifier.fillMaxWidth()) {
        Row(Modifier.padding(16.dp), verticalAlignment = Alignment.CenterVertically) {
            Column(Modifier.weight(1f), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(result.moduleId, style = MaterialTheme.typography.titleMedium)
                Text(stringResource(R.string.attempt_number, result.attempt.toInt()) + " · " +
                    stringResource(R.string.score_of, pointsText(result.score), pointsText(result.maxScore)))
                Text(stringResource(if (result.passed) R.string.outcome_passed else R.string.outcome_not_passed))
                Text(formatTime(result.endedAt), style = MaterialTheme.typography.bodySmall)
                Text(
                    stringResource(if (result.synced) R.string.synced else R.string.waiting_to_sync),
                    style = MaterialTheme.typography.bodySmall,
                    color = MaterialTheme.colorScheme.primary,
                )
            }
            IconButton(onClick = {
                val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, result.signedJson)
                context.startActivity(Intent.createChooser(send, share))
            }) { Icon(Icons.Filled.Share, contentDescription = share) }
        }
    }
}
