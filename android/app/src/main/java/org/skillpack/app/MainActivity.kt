// The one activity: a bottom bar (library, results, credentials, settings) over a Compose
// navigation graph, plus the reading and quiz screens a module opens.
package org.skillpack.app

import android.net.Uri
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.annotation.StringRes
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.List
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material.icons.filled.Star
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.NavGraph.Companion.findStartDestination
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import org.skillpack.app.ui.CredentialsScreen
import org.skillpack.app.ui.LessonScreen
import org.skillpack.app.ui.LibraryScreen
import org.skillpack.app.ui.OutcomeScreen
import org.skillpack.app.ui.QuizScreen
import org.skillpack.app.ui.ResultsScreen
import org.skillpack.app.ui.SettingsScreen

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent { MaterialTheme { SkillpackNav() } }
    }
}

private enum class Tab(val route: String, @StringRes val label: Int, val icon: ImageVector) {
    Library("library", R.string.tab_library, Icons.Filled.Home),
    Results("results", R.string.tab_results, Icons.AutoMirrored.Filled.List),
    Credentials("credentials", R.string.tab_credentials, Icons.Filled.Star),
    Settings("settings", R.string.tab_settings, Icons.Filled.Settings),
}

@Composable
private fun SkillpackNav(vm: AppViewModel = viewModel()) {
    val nav = rememberNavController()
    val current by nav.currentBackStackEntryAsState()
    Scaffold(bottomBar = {
        NavigationBar {
            Tab.entries.forEach { tab ->
                NavigationBarItem(
                    selected = current?.destination?.route == tab.route,
                    onClick = { nav.openTab(tab.route) },
                    icon = { Icon(tab.icon, contentDescription = null) },
                    label = { Text(stringResource(tab.label)) },
                )
            }
        }
    }) { padding ->
        NavHost(nav, startDestination = Tab.Library.route, Modifier.padding(padding)) {
            composable(Tab.Library.route) {
                LibraryScreen(
                    vm,
                    onRead = { nav.navigate("lesson/${Uri.encode(it.id)}/${it.lessons}") },
                    onQuiz = { nav.navigate("quiz/${Uri.encode(it.id)}") },
                )
            }
            composable(
                "lesson/{module}/{count}",
                arguments = listOf(navArgument("count") { type = NavType.IntType }),
            ) { entry ->
                val module = entry.arguments?.getString("module").orEmpty()
                LessonScreen(vm, module, entry.arguments?.getInt("count") ?: 0,
                    onQuiz = { nav.navigate("quiz/${Uri.encode(module)}") })
            }
            composable("quiz/{module}") { entry ->
                QuizScreen(vm, entry.arguments?.getString("module").orEmpty(), onSubmitted = {
                    nav.navigate("outcome") { popUpTo(Tab.Library.route) }
                })
            }
            composable("outcome") {
                OutcomeScreen(vm, onDone = { nav.popBackStack(Tab.Library.route, inclusive = false) },
                    onResults = { nav.openTab(Tab.Results.route) })
            }
            composable(Tab.Results.route) { ResultsScreen(vm) }
            composable(Tab.Credentials.route) { CredentialsScreen() }
            composable(Tab.Settings.route) { SettingsScreen(vm) }
        }
    }
}

/** Switches tab the usual way: one copy of each tab, each keeping its own state. */
private fun NavHostController.openTab(route: String) = navigate(route) {
    popUpTo(graph.findStartDestination().id) { saveState = true }
    launchSingleTop = true
    restoreState = true
}
