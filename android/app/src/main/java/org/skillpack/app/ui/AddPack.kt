// Adding a pack from a file the learner picks. The core checks the signature; when it does
// not know the publisher it says so with a fingerprint, and only the learner (comparing it
// with what the trainer shows) can accept it. Then the pack installs.
package org.skillpack.app.ui

import android.content.Context
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.FloatingActionButton
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import java.io.File
import java.io.IOException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.core.SkillpackException

private class Unknown(val file: File, val fingerprint: String)

@Composable
fun AddPackButton(vm: AppViewModel, snackbar: SnackbarHostState, onInstalled: () -> Unit) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var unknown by remember { mutableStateOf<Unknown?>(null) }

    fun installFile(file: File) = scope.launch {
        try {
            val view = vm.call { this.install(file.path) }
            file.delete()
            onInstalled()
            snackbar.showSnackbar(context.getString(R.string.installed, view.packId, view.version))
        } catch (e: SkillpackException.Untrusted) {
            unknown = Unknown(file, e.fingerprint)
        } catch (e: SkillpackException) {
            file.delete()
            snackbar.showSnackbar(errorText(context, e))
        }
    }

    val pick = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        if (uri != null) scope.launch {
            try {
                installFile(copyToCache(context, uri))
            } catch (e: IOException) {
                snackbar.showSnackbar(context.getString(R.string.error_read_file))
            }
        }
    }
    FloatingActionButton(onClick = { pick.launch(arrayOf("*/*")) }) {
        Icon(Icons.Filled.Add, contentDescription = stringResource(R.string.add_pack))
    }

    unknown?.let { pending ->
        var label by remember(pending) { mutableStateOf("") }
        AlertDialog(
            onDismissRequest = { unknown = null; pending.file.delete() },
            title = { Text(stringResource(R.string.trust_title)) },
            text = {
                Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(stringResource(R.string.trust_text))
                    Text(pending.fingerprint, style = MaterialTheme.typography.titleMedium)
                    OutlinedTextField(label, { label = it }, label = { Text(stringResource(R.string.trust_label)) })
                }
            },
            confirmButton = {
                TextButton(onClick = {
                    unknown = null
                    scope.launch {
                        try {
                            vm.call { trustPublisherOf(pending.file.path, label) }
                            installFile(pending.file)
                        } catch (e: SkillpackException) {
                            snackbar.showSnackbar(errorText(context, e))
                        }
                    }
                }) { Text(stringResource(R.string.trust_confirm)) }
            },
            dismissButton = {
                TextButton(onClick = { unknown = null; pending.file.delete() }) { Text(stringResource(R.string.cancel)) }
            },
        )
    }
}

/** The core reads packs from a path; a picked document is only a content URI. */
private suspend fun copyToCache(context: Context, uri: Uri): File = withContext(Dispatchers.IO) {
    val file = File.createTempFile("pack", ".skillpack", context.cacheDir)
    val input = context.contentResolver.openInputStream(uri) ?: throw IOException("cannot open $uri")
    input.use { source -> file.outputStream().use { source.copyTo(it) } }
    file
}
