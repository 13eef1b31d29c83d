// Pieces every screen uses: loading with an error view, the one place core errors become
// words (from the error's kind and fields, never its log message), and how points and times
// are written.
package org.skillpack.app.ui

import android.content.Context
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import java.text.DateFormat
import java.util.Date
import org.skillpack.app.R
import org.skillpack.core.SkillpackException

/** Loads with [load] (again when [key] changes, or on `reload`), then shows [content]. */
@Composable
fun <T> Loaded(
    key: Any?,
    load: suspend () -> T,
    content: @Composable (value: T, reload: () -> Unit) -> Unit,
) {
    var generation by remember { mutableIntStateOf(0) }
    val result by produceState<Result<T>?>(null, key, generation) {
        value = try {
            Result.success(load())
        } catch (e: SkillpackException) {
            Result.failure(e)
        }
    }
    val loaded = result
    when {
        loaded == null -> Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
            CircularProgressIndicator()
        }
        loaded.isSuccess -> content(loaded.getOrThrow()) { generation++ }
        else -> ErrorMessage(loaded.exceptionOrNull())
    }
}

@Composable
fun ErrorMessage(error: Throwable?) {
    Text(
        errorText(LocalContext.current, error),
        color = MaterialTheme.colorScheme.error,
        modifier = Modifier.padding(16.dp),
    )
}

/** What to tell the learner about [error]. */
fun errorText(context: Context, error: Throwable?): String = when (error) {
    is SkillpackException.InvalidInput -> context.getString(R.string.error_invalid_input)
    is SkillpackException.NotFound -> context.getString(R.string.error_not_found)
    is SkillpackException.Untrusted -> context.getString(R.string.error_untrusted, error.fingerprint)
    is SkillpackException.CoolingDown -> context.getString(R.string.error_cooling_down, formatTime(error.until))
    is SkillpackException.Corrupt -> context.getString(R.string.error_corrupt)
    is SkillpackException.Offline -> context.getString(R.string.error_offline)
    is SkillpackException.Server -> context.getString(R.string.error_server, error.code)
    is SkillpackException.Storage -> context.getString(R.string.error_storage)
    is SkillpackException.Cancelled -> context.getString(R.string.error_cancelled)
    is SkillpackException.Closed -> context.getString(R.string.error_closed)
    is SkillpackException.Internal -> context.getString(R.string.error_internal)
    else -> context.getString(R.string.error_internal)
}

/** A moment (ms since the epoch) in the phone's language and time zone. */
fun formatTime(epochMs: Long): String =
    DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT).format(Date(epochMs))
