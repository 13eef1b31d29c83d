// The learner's settings (media quality, sync on Wi-Fi only, monthly data budget, language),
// stored by the core; saving also reschedules the background sync to match. Below them:
// joining a trainer's group and syncing now (SyncSection.kt).
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.skillpack.app.AppViewModel
import org.skillpack.app.R
import org.skillpack.app.sync.SyncScheduler
import org.skillpack.core.Rendition
import org.skillpack.core.LearnerSettings
import org.skillpack.core.SkillpackException

@Composable
fun SettingsScreen(vm: AppViewModel) {
    Column(
        Modifier.verticalScroll(rememberScrollState()).padding(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Loaded(Unit, { vm.call { settings() to meteredUseThisMonth() } }) { (settings, used), reload ->
            SettingsForm(vm, settings, used, onSaved = reload)
        }
        HorizontalDivider()
        JoinGroup(vm)
        HorizontalDivider()
        SyncNow(vm)
    }
}

@Composable
private fun SettingsForm(vm: AppViewModel, saved: LearnerSettings, usedBytes: ULong, onSaved: () -> Unit) {
    val context = LocalContext.current
    val scope = rememberCoroutineScope()
    var media by remember(saved) { mutableStateOf(saved.media) }
    var unmeteredOnly by remember(saved) { mutableStateOf(saved.unmeteredOnly) }
    var budget by remember(saved) { mutableStateOf(saved.monthlyBudgetMb.toString()) }
    var language by remember(saved) { mutableStateOf(saved.language.orEmpty()) }
    var status by remember { mutableStateOf<String?>(null) }

    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(stringResource(R.string.settings_media), style = MaterialTheme.typography.titleMedium)
        Rendition.entries.forEach { r ->
            Row(Modifier.fillMaxWidth().selectable(media == r) { media = r }, verticalAlignment = Alignment.CenterVertically) {
                RadioButton(media == r, onClick = null)
                Text(stringResource(if (r == Rendition.FULL) R.string.media_full else R.string.media_low))
            }
        }
        Row(verticalAlignment = Alignment.CenterVertically) {
            Text(stringResource(R.string.settings_unmetered_only), Modifier.weight(1f))
            Switch(unmeteredOnly, onCheckedChange = { unmeteredOnly = it })
        }
        OutlinedTextField(
            value = budget,
            onValueChange = { budget = it.filter(Char::isDigit).take(6) },
            label = { Text(stringResource(R.string.settings_budget)) },
            supportingText = {
                // The core counts what syncs move on mobile data (1 MB = 1,000,000 bytes, as carriers count).
                val used = "%.1f".format(usedBytes.toDouble() / 1_000_000)
                val limit = saved.monthlyBudgetMb.toLong()
                val use = if (limit == 0L) stringResource(R.string.settings_used_no_limit, used)
                else stringResource(R.string.settings_used, used, limit)
                Text(stringResource(R.string.settings_budget_help) + " · " + use)
            },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
            singleLine = true,
        )
        OutlinedTextField(
            value = language,
            onValueChange = { language = it },
            label = { Text(stringResource(R.string.settings_language)) },
            singleLine = true,
        )
        Button(onClick = {
            val next = saved.copy(
                media = media,
                unmeteredOnly = unmeteredOnly,
                monthlyBudgetMb = budget.toUIntOrNull() ?: 0u,
                language = language.trim().ifEmpty { null },
            )
            scope.launch {
                status = try {
                    vm.call { setSettings(next) }
                    SyncScheduler.schedule(context, next)
                    onSaved()
                    context.getString(R.string.saved)
                } catch (e: SkillpackException) {
                    errorText(context, e)
                }
            }
        }) { Text(stringResource(R.string.save)) }
        status?.let { Text(it) }
    }
}
