// Reading a module's lessons one at a time. The time the screen is visible (monotonic clock,
// paused while the app is in the background) and the block the learner reached are recorded
// with the core when the lesson closes; the core decides what they count for.
package org.skillpack.app.ui

import android.os.SystemClock
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.material3.Button
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleEventObserver
import androidx.lifecycle.compose.LocalLifecycleOwner
import org.skillpack.app.AppViewModel
import org.skillpack.app.R

@Composable
fun LessonScreen(vm: AppViewModel, moduleId: String, count: Int, onQuiz: () -> Unit) {
    var index by rememberSaveable(moduleId) { mutableIntStateOf(0) }
    val wanted = index
    Loaded(moduleId to wanted, { wanted to vm.call { lesson(moduleId, wanted.toUInt()) } }) { (shown, lesson), _ ->
        // Each lesson opens where the learner left it (the core keeps the block), with its own
        // timer. Keyed by the lesson shown, not the one asked for: while the next one loads the
        // last one stays on screen, and its scroll state must not carry over to the next.
        key(moduleId, shown) {
            val list = rememberLazyListState(initialFirstVisibleItemIndex = lesson.resumeBlock?.toInt() ?: 0)
            ReadingTimer(moduleId, shown, list, vm)
            Column {
                LessonBlocks(lesson.blocks, lesson.media, list, onLesson = { index = it }, modifier = Modifier.weight(1f))
                LessonPager(shown, count, onGo = { index = it }, onQuiz = onQuiz)
            }
        }
    }
}

@Composable
private fun LessonPager(index: Int, count: Int, onGo: (Int) -> Unit, onQuiz: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().padding(12.dp),
        horizontalArrangement = Arrangement.SpaceBetween,
        verticalAlignment = Alignment.CenterVertically,
    ) {
        OutlinedButton(onClick = { onGo(index - 1) }, enabled = index > 0) { Text(stringResource(R.string.previous)) }
        Text(stringResource(R.string.lesson_of, index + 1, count))
        if (index + 1 < count) {
            Button(onClick = { onGo(index + 1) }) { Text(stringResource(R.string.next)) }
        } else {
            Button(onClick = onQuiz) { Text(stringResource(R.string.take_quiz)) }
        }
    }
}

/** Records the time lesson [index] is on screen, in spans that stop in the background. */
@Composable
private fun ReadingTimer(moduleId: String, index: Int, list: LazyListState, vm: AppViewModel) {
    val owner = LocalLifecycleOwner.current
    DisposableEffect(owner, moduleId, index) {
        var since: Long? = SystemClock.elapsedRealtime()
        fun flush() {
            val start = since ?: return
            since = null
            val spent = (SystemClock.elapsedRealtime() - start).toULong()
            val block = list.firstVisibleItemIndex.toUInt()
            vm.postDurable { recordProgress(moduleId, index.toUInt(), spent, block) }
        }
        fun resume() {
            if (since == null) since = SystemClock.elapsedRealtime()
        }
        val observer = LifecycleEventObserver { _, event ->
            when (event) {
                Lifecycle.Event.ON_STOP -> flush()
                Lifecycle.Event.ON_START -> resume()
                else -> {}
            }
        }
        owner.lifecycle.addObserver(observer)
        onDispose {
            owner.lifecycle.removeObserver(observer)
            flush()
        }
    }
}
