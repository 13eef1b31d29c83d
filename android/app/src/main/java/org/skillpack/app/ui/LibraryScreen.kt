// The library: every installed module with where the learner stands (all from the core's
// catalog), a way to read or take the quiz, to remove a pack, and to add one from a file.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Delete
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
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
import org.skillpack.core.CatalogEntry
import org.skillpack.core.ModuleState
import org.skillpack.core.SkillpackException

@Composable
fun LibraryScreen(vm: AppViewModel, onRead: (CatalogEntry) -> Unit, onQuiz: (CatalogEntry) -> Unit) {
    val snackbar = remember { SnackbarHostState() }
    var changes by remember { mutableIntStateOf(0) }
    Scaffold(
        snackbarHost = { SnackbarHost(snackbar) },
        floatingActionButton = { AddPackButton(vm, snackbar, onInstalled = { changes++ }) },
    ) { padding ->
        Loaded(changes, { vm.call { catalog() } }) { entries, reload ->
            if (entries.isEmpty()) {
                Text(stringResource(R.string.library_empty), Modifier.padding(padding).padding(24.dp))
            } else LazyColumn(
                contentPadding = PaddingValues(16.dp),
                verticalArrangement = Arrangement.spacedBy(12.dp),
                modifier = Modifier.padding(padding),
            ) {
                items(entries, key = { it.id }) { entry ->
                    ModuleCard(vm, snackbar, entry, onRead = { onRead(entry) }, onQuiz = { onQuiz(entry) }, onRemoved = reload)
                }
            }
        }
    }
}

@Composable
private fun ModuleCard(
    vm: AppViewModel,
    snackbar: SnackbarHostState,
    entry: CatalogEntry,
    onRead: () -> Unit,
    onQuiz: () -> Unit,
    onRemoved: () -> Unit,
) {
    var confirm by remember { mutableStateOf(false) }
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Row {
                Text(entry.title, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                IconButton(onClick = { confirm = true }) {
                    Icon(Icons.Filled.Delete, contentDescription = stringResource(R.string.remove_pack))
                }
            }
            Text(stringResource(R.string.module_facts, entry.minutes.toInt(), entry.lessonsOpened.toInt(), entry.lessons.toInt()))
            Text(stateText(entry.state), color = MaterialTheme.colorScheme.primary)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = onRead) { Text(stringResource(R.string.read)) }
                OutlinedButton(onClick = onQuiz) { Text(stringResource(R.string.take_quiz)) }
            }
        }
    }
    if (confirm) {
        AlertDialog(
            onDismissRequest = { confirm = false },
            title = { Text(stringResource(R.string.remove_pack_title, entry.packId)) },
            text = { Text(stringResource(R.string.remove_pack_text)) },
            confirmButton = {
                TextButton(onClick = {
                    confirm = false
                    scope.launch {
                        try {
                            vm.call { uninstall(entry.packId) }
                            onRemoved()
                        } catch (e: SkillpackException) {
                            snackbar.showSnackbar(errorText(context, e))
                        }
                    }
                }) { Text(stringResource(R.string.remove_pack)) }
            },
            dismissButton = { TextButton(onClick = { confirm = false }) { Text(stringResource(R.string.cancel)) } },
        )
    }
}

@Composable
private fun stateText(state: ModuleState): String = when (state) {
    is ModuleState.New -> stringResource(R.string.state_new)
    is ModuleState.InProgress -> stringResource(R.string.state_in_progress)
    is ModuleState.Passed -> stringResource(R.string.state_passed)
    is ModuleState.Failed -> stringResource(R.string.state_failed)
    is ModuleState.CoolingDown -> stringResource(R.string.state_cooling_down, formatTime(state.until))
}
