// Megabytes this app has moved on metered networks this month, for the data budget that
// core (maySync) checks. Android counts traffic per app (TrafficStats); only sync uses the
// network here, so the app's bytes during a sync are the sync's. Only the current month
// is kept.
package org.skillpack.app.sync

import android.content.Context
import android.net.TrafficStats
import android.os.Process
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale

class MeteredUsage(context: Context) {
    private val prefs = context.getSharedPreferences("metered_usage", Context.MODE_PRIVATE)

    private fun month(): String = SimpleDateFormat("yyyy-MM", Locale.ROOT).format(Date())

    fun thisMonthMb(): UInt = (prefs.getLong(month(), 0) / BYTES_PER_MB).coerceAtMost(UInt.MAX_VALUE.toLong()).toUInt()

    /** Adds to this month's count (the worker and the Sync now button may both add). */
    fun add(bytes: Long) {
        if (bytes <= 0) return
        synchronized(lock) {
            val key = month()
            val total = prefs.getLong(key, 0) + bytes
            prefs.edit().clear().putLong(key, total).apply()
        }
    }

    /** Bytes sent and received by this app since boot, or 0 where the phone does not count. */
    fun appBytes(): Long {
        val uid = Process.myUid()
        val rx = TrafficStats.getUidRxBytes(uid)
        val tx = TrafficStats.getUidTxBytes(uid)
        return if (rx < 0 || tx < 0) 0 else rx + tx
    }

    private companion object {
        val lock = Any()

        /** Megabytes as carriers count them. */
        const val BYTES_PER_MB = 1_000_000L
    }
}
