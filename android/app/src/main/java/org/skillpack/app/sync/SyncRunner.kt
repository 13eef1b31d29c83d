// One sync, the same for the background worker and the Sync now button: the app only says
// whether the connection is metered; the core checks the learner's data settings against what
// it has counted this month, counts what this sync moves, and does the rest.
package org.skillpack.app.sync

import android.content.Context
import android.net.ConnectivityManager
import org.skillpack.core.ProgressListener
import org.skillpack.core.Skillpack
import org.skillpack.core.SyncReport

object SyncRunner {
    sealed interface Run {
        /** The learner's data settings say not now. */
        data object Skipped : Run

        data class Done(val view: SyncReport) : Run
    }

    /** Blocking: call from a worker or the core thread. Throws what `syncNow` throws. */
    fun run(context: Context, core: Skillpack, listener: ProgressListener?): Run {
        val metered = context.getSystemService(ConnectivityManager::class.java).isActiveNetworkMetered
        if (!core.maySync(metered)) return Run.Skipped
        return Run.Done(core.syncNow(metered, listener))
    }
}
