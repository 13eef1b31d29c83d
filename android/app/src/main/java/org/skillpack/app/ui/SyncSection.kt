// Joining a trainer's group with an enrolment code, and syncing now with progress and a
// cancel button. Sync goes through SyncRunner, so the learner's data settings hold here too.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.launch
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.app.sync.SyncRunner
import org.skillpack.core.ProgressListener
import org.skillpack.core.SkillpackException

@Composable
fun JoinGroup(vm: AppViewModel) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var hub by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    var status by remember { mutableStateOf<String?>(null) }
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(stringResource(R.string.join_title), style = MaterialTheme.typography.titleMedium)
        OutlinedTextField(hub, { hub = it.trim() }, label = { Text(stringResource(R.string.join_hub)) }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri), modifier = Modifier.fillMaxWidth())
        OutlinedTextField(code, { code = it.trim() }, label = { Text(stringResource(R.string.join_code)) }, singleLine = true,
            keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters), modifier = Modifier.fillMaxWidth())
        Button(enabled = hub.isNotEmpty() && code.isNotEmpty(), onClick = {
            scope.launch {
                status = try {
                    context.getString(R.string.joined, vm.call { register(hub, code) })
                } catch (e: SkillpackException) {
                    errorText(context, e)
                }
            }
        }) { Text(stringResource(R.string.join)) }
        status?.let { Text(it) }
    }
}

@Composable
fun SyncNow(vm: AppViewModel) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var progress by remember { mutableStateOf<Float?>(null) }
    var status by remember { mutableStateOf<String?>(null) }
    val cancel = remember { AtomicBoolean(false) }
    val listener = remember {
        object : ProgressListener {
            // Called on the core thread; Compose state may be written from any thread.
            override fun onProgress(done: ULong, total: ULong) {
                progress = if (total == 0uL) 0f else done.toFloat() / total.toFloat()
            }
            override fun isCancelled(): Boolean = cancel.get()
        }
    }
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(stringResource(R.string.sync_title), style = MaterialTheme.typography.titleMedium)
        val shown = progress
        if (shown == null) {
            Button(onClick = {
                cancel.set(false)
                progress = 0f
                scope.launch {
                    status = try {
                        when (val run = vm.call { SyncRunner.run(context.applicationContext, this, listener) }) {
                            is SyncRunner.Run.Skipped -> context.getString(R.string.sync_skipped)
                            is SyncRunner.Run.Done -> listOfNotNull(
                                context.getString(R.string.sync_done, run.view.pushed.toInt(),
                                    run.view.alreadyThere.toInt(), run.view.rejected.size, run.view.installed.size),
                                run.view.deferred.takeIf { it.isNotEmpty() }
                                    ?.let { context.getString(R.string.sync_deferred, it.joinToString(", ") { p -> "${p.id} ${p.version}" }) },
                            ).joinToString("\n")
                        }
                    } catch (e: SkillpackException) {
                        errorText(context, e)
                    }
                    progress = null
                }
            }) { Text(stringResource(R.string.sync_now)) }
        } else {
            LinearProgressIndicator(progress = { shown }, modifier = Modifier.fillMaxWidth())
            OutlinedButton(onClick = { cancel.set(true) }) { Text(stringResource(R.string.cancel)) }
        }
        status?.let { Text(it) }
    }
}
