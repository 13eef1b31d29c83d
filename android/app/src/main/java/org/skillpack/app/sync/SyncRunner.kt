// One sync, the same for the background worker and the Sync now button: the learner's data
// settings are checked against the connection (by the core: `maySync`), the
// bytes a metered sync moves are counted toward the month, and the core does the rest.
package org.skillpack.app.sync

import android.content.Context
import android.net.ConnectivityManager
import org.skillpack.core.ProgressListener
import org.skillpack.core.Skillpack
import org.skillpack.core.SyncView

object SyncRunner {
    sealed interface Run {
        /** The learner's data settings say not now. */
        data object Skipped : Run

        data class Done(val view: SyncView) : Run
    }

    /** Blocking: call from a worker or the core thread. Throws what `syncNow` throws. */
    fun run(context: Context, core: Skillpack, listener: ProgressListener?): Run {
        val metered = context.getSystemService(ConnectivityManager::class.java).isActiveNetworkMetered
        val usage = MeteredUsage(context)
        if (!core.maySync(metered, usage.thisMonthMb())) return Run.Skipped
        val before = usage.appBytes()
        try {
            return Run.Done(core.syncNow(listener))
        } finally {
            if (metered) usage.add(usage.appBytes() - before)
        }
    }
}
