// Schedules the periodic background sync to match the learner's settings: any network, or
// only an unmetered one when they chose Wi-Fi only. Run again whenever settings change.
package org.skillpack.app.sync

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit
import org.skillpack.core.LearnerSettings

object SyncScheduler {
    private const val WORK_NAME = "skillpack-sync"

    fun schedule(context: Context, settings: LearnerSettings) {
        val network = if (settings.unmeteredOnly) NetworkType.UNMETERED else NetworkType.CONNECTED
        val constraints = Constraints.Builder()
            .setRequiredNetworkType(network)
            .setRequiresBatteryNotLow(true)
            .build()
        // A few times a day is enough for results and new packs, and spares battery and data.
        val request = PeriodicWorkRequestBuilder<SyncWorker>(6, TimeUnit.HOURS)
            .setConstraints(constraints)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 15, TimeUnit.MINUTES)
            .build()
        WorkManager.getInstance(context)
            .enqueueUniquePeriodicWork(WORK_NAME, ExistingPeriodicWorkPolicy.UPDATE, request)
    }
}
