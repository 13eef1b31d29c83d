// Plain Kotlin (no Android imports) shared by the app and the JVM test: when the
// WorkManager job may sync, from the learner's settings and the connection.
package org.skillpack.app.logic

import org.skillpack.core.SettingsView

object SyncPolicy {
    /**
     * Whether a sync may run now: never on metered data when the learner asked for
     * unmetered only, nor past the monthly budget (0 means no budget).
     */
    fun mayRun(settings: SettingsView, metered: Boolean, usedThisMonthMb: UInt): Boolean {
        if (!metered) return true
        if (settings.unmeteredOnly) return false
        return settings.monthlyBudgetMb == 0u || usedThisMonthMb < settings.monthlyBudgetMb
    }
}
