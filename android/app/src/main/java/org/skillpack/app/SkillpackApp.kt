// The process-wide pieces: the learner's one store (opened on first use, never on the main
// thread), the single thread the screens' core calls run on, and the periodic sync schedule.
package org.skillpack.app

import android.app.Application
import android.util.Log
import java.io.File
import java.util.concurrent.Executors
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.launch
import org.skillpack.app.sync.SyncScheduler
import org.skillpack.core.Skillpack
import org.skillpack.core.SkillpackException

class SkillpackApp : Application() {
    /**
     * The screens' core calls run here, one at a time and in the order they were made, so an
     * answer the learner changed twice is stored as the second one.
     */
    val coreDispatcher: CoroutineDispatcher =
        Executors.newSingleThreadExecutor { Thread(it, "skillpack-core") }.asCoroutineDispatcher()

    /** For calls that must finish after their screen has gone (reading time on close). */
    val scope = CoroutineScope(SupervisorJob() + coreDispatcher)

    // A failed open is not cached: the next call tries again.
    private val store = lazy {
        val dir = File(filesDir, "skillpack").apply { mkdirs() }
        Skillpack.open(dir.path, KeystoreKeys(this))
    }

    /** The learner's store. Blocking (it opens on first use): never call on the main thread. */
    fun core(): Skillpack = store.value

    override fun onCreate() {
        super.onCreate()
        scope.launch {
            try {
                SyncScheduler.schedule(this@SkillpackApp, core().settings())
            } catch (e: SkillpackException) {
                Log.w(TAG, "sync not scheduled: ${e::class.simpleName}")
            }
        }
    }

    companion object {
        const val TAG = "Skillpack"
    }
}
