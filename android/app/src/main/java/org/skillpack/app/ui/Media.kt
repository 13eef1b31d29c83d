// Lesson media from the bytes the core hands over: images decoded off the main thread and
// scaled down to the screen, audio played with MediaPlayer from a temporary file. Media the
// pack does not carry (bytes = null, say in a low-data pack) shows its description instead.
package org.skillpack.app.ui

import android.content.Context
import android.graphics.BitmapFactory
import android.media.MediaPlayer
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Close
import androidx.compose.material.icons.filled.PlayArrow
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.text.font.FontStyle
import java.io.File
import java.io.IOException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.skillpack.core.MediaItem

@Composable
fun MediaImage(item: MediaItem?, alt: String) {
    val width = LocalContext.current.resources.displayMetrics.widthPixels
    val bitmap by produceState<ImageBitmap?>(null, item) {
        value = item?.bytes?.let { withContext(Dispatchers.Default) { decode(it, width) } }
    }
    val shown = bitmap
    if (shown != null) {
        Image(shown, contentDescription = alt, modifier = Modifier.fillMaxWidth(), contentScale = ContentScale.FillWidth)
    } else {
        Text(alt, fontStyle = FontStyle.Italic, style = MaterialTheme.typography.bodyMedium)
    }
}

/** Decodes at the largest power-of-two reduction still as wide as the screen (memory is short). */
private fun decode(bytes: ByteArray, maxWidth: Int): ImageBitmap? {
    val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
    BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
    var sample = 1
    while (bounds.outWidth / (sample * 2) >= maxWidth) sample *= 2
    val options = BitmapFactory.Options().apply { inSampleSize = sample }
    return BitmapFactory.decodeByteArray(bytes, 0, bytes.size, options)?.asImageBitmap()
}

@Composable
fun AudioButton(item: MediaItem, label: String) {
    val context = LocalContext.current
    val clip = remember(item) { AudioClip(context, item) }
    DisposableEffect(clip) { onDispose { clip.stop() } }
    OutlinedButton(onClick = { clip.toggle() }, enabled = item.bytes != null) {
        Icon(if (clip.playing) Icons.Filled.Close else Icons.Filled.PlayArrow, contentDescription = null)
        Text(label)
    }
}

/** One audio item: MediaPlayer needs a file or URL, so the bytes go to the cache first. */
private class AudioClip(private val context: Context, private val item: MediaItem) {
    private var player: MediaPlayer? = null
    private var file: File? = null
    var playing by mutableStateOf(false)
        private set

    fun toggle() = if (playing) stop() else play()

    private fun play() {
        val bytes = item.bytes ?: return
        val ext = item.path.substringAfterLast('.', "bin")
        val temp = File.createTempFile("audio", ".$ext", context.cacheDir).apply { writeBytes(bytes) }
        file = temp
        try {
            player = MediaPlayer().apply {
                setDataSource(temp.path)
                setOnCompletionListener { stop() }
                prepare()
                start()
            }
            playing = true
        } catch (e: IOException) {
            stop() // a format this phone cannot play
        } catch (e: IllegalStateException) {
            stop()
        }
    }

    fun stop() {
        player?.release()
        player = null
        file?.delete()
        file = null
        playing = false
    }
}
