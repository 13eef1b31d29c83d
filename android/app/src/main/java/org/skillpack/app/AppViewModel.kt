// How screens reach the core (on the core thread, never the main one) and the little state
// that spans screens: the attempt in progress and the outcome of the last submit.
package org.skillpack.app

import android.app.Application
import android.util.Log
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.skillpack.core.AttemptView
import org.skillpack.core.Skillpack
import org.skillpack.core.SkillpackException
import org.skillpack.core.SubmitView

class AppViewModel(application: Application) : AndroidViewModel(application) {
    private val app: SkillpackApp get() = getApplication()

    /** The attempt the quiz screen shows (its prompts label the outcome). */
    var attempt by mutableStateOf<AttemptView?>(null)

    /** What the last submit returned, for the outcome screen. */
    var submitted by mutableStateOf<SubmitView?>(null)

    /** Runs [block] on the core thread and returns its result. */
    suspend fun <T> call(block: Skillpack.() -> T): T =
        withContext(app.coreDispatcher) { app.core().block() }

    /** Runs [block] without waiting, after every call made before it. */
    fun post(onError: (SkillpackException) -> Unit = {}, block: Skillpack.() -> Unit) {
        viewModelScope.launch {
            try {
                call(block)
            } catch (e: SkillpackException) {
                onError(e)
            }
        }
    }

    /** Like [post], but finishes even if the screen and this model are gone. */
    fun postDurable(block: Skillpack.() -> Unit) {
        app.scope.launch {
            try {
                app.core().block()
            } catch (e: SkillpackException) {
                Log.w(SkillpackApp.TAG, "background call failed: ${e::class.simpleName}")
            }
        }
    }
}
