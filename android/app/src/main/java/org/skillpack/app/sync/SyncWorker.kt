// The background sync WorkManager runs (SyncScheduler). One SyncRunner pass; WorkManager
// stopping the job cancels the sync through the progress listener. Whether to retry is read
// from the error's kind: no connection or a cancelled run retries, a refusal does not.
package org.skillpack.app.sync

import android.content.Context
import android.util.Log
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.skillpack.app.SkillpackApp
import org.skillpack.core.ProgressListener
import org.skillpack.core.SkillpackException

class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val app = applicationContext as SkillpackApp
        try {
            val run = SyncRunner.run(app, app.core(), Listener())
            Log.i(SkillpackApp.TAG, "background sync: ${run::class.simpleName}")
            Result.success()
        } catch (e: SkillpackException) {
            Log.i(SkillpackApp.TAG, "background sync ended: ${e::class.simpleName}")
            when (e) {
                is SkillpackException.Offline, is SkillpackException.Cancelled -> Result.retry()
                else -> Result.failure()
            }
        }
    }

    private inner class Listener : ProgressListener {
        private var lastPercent = -1

        // Progress is stored by WorkManager, so only whole-percent changes are passed on.
        override fun onProgress(done: ULong, total: ULong) {
            val percent = if (total == 0uL) 0 else (done * 100uL / total).toInt()
            if (percent != lastPercent) {
                lastPercent = percent
                setProgressAsync(workDataOf("percent" to percent))
            }
        }

        override fun isCancelled(): Boolean = isStopped
    }
}
