// A small Markdown reader for lessons: headings, paragraphs, bullet and numbered lists, bold,
// italic and code spans, images (from the lesson's media) and links to audio (a play button).
// Anything else shows as plain text. Lessons come from the core as the trainer wrote them.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextDecoration
import androidx.compose.ui.text.withStyle
import androidx.compose.ui.unit.dp
import org.skillpack.core.MediaItem

/** One block of a lesson. */
sealed interface Block {
    data class Heading(val level: Int, val text: String) : Block
    data class Paragraph(val text: String) : Block
    data class Item(val marker: String, val text: String) : Block
    data class Image(val alt: String, val target: String) : Block
    /** A line that is only a link: audio gets a play button, anything else shows its text. */
    data class LinkLine(val label: String, val target: String) : Block
}

private val heading = Regex("""^(#{1,6})\s+(.*)$""")
private val bullet = Regex("""^\s*[-*+]\s+(.*)$""")
private val numbered = Regex("""^\s*(\d+)[.)]\s+(.*)$""")
private val image = Regex("""^\s*!\[(.*?)]\((\S+?)(?:\s+"[^"]*")?\)\s*$""")
private val linkLine = Regex("""^\s*\[(.+?)]\((\S+?)(?:\s+"[^"]*")?\)\s*$""")
private val inlineToken = Regex("""\*\*(.+?)\*\*|__(.+?)__|\*(.+?)\*|(?<!\w)_(.+?)_(?!\w)|`(.+?)`|\[(.+?)]\((\S+?)\)""")

fun parseBlocks(markdown: String): List<Block> {
    val blocks = mutableListOf<Block>()
    val paragraph = StringBuilder()
    fun endParagraph() {
        if (paragraph.isNotBlank()) blocks += Block.Paragraph(paragraph.toString().trim())
        paragraph.clear()
    }
    for (line in markdown.lines()) {
        val block = heading.find(line)?.let { Block.Heading(it.groupValues[1].length, it.groupValues[2]) }
            ?: image.find(line)?.let { Block.Image(it.groupValues[1], it.groupValues[2]) }
            ?: linkLine.find(line)?.let { Block.LinkLine(it.groupValues[1], it.groupValues[2]) }
            ?: bullet.find(line)?.let { Block.Item("•", it.groupValues[1]) }
            ?: numbered.find(line)?.let { Block.Item("${it.groupValues[1]}.", it.groupValues[2]) }
        when {
            block != null -> { endParagraph(); blocks += block }
            line.isBlank() -> endParagraph()
            else -> paragraph.append(line.trim()).append(' ')
        }
    }
    endParagraph()
    return blocks
}

/** Bold, italic, code and links (as their text) within one block. */
fun inline(text: String): AnnotatedString = buildAnnotatedString {
    var at = 0
    for (m in inlineToken.findAll(text)) {
        append(text.substring(at, m.range.first))
        val g = m.groupValues
        when {
            g[1].isNotEmpty() || g[2].isNotEmpty() -> withStyle(SpanStyle(fontWeight = FontWeight.Bold)) { append(g[1] + g[2]) }
            g[3].isNotEmpty() || g[4].isNotEmpty() -> withStyle(SpanStyle(fontStyle = FontStyle.Italic)) { append(g[3] + g[4]) }
            g[5].isNotEmpty() -> withStyle(SpanStyle(fontFamily = FontFamily.Monospace)) { append(g[5]) }
            else -> withStyle(SpanStyle(textDecoration = TextDecoration.Underline)) { append(g[6]) }
        }
        at = m.range.last + 1
    }
    append(text.substring(at))
}

/**
 * The media item a lesson link points at. Links are relative to the lesson file and media
 * paths to the module folder, so `../images/a.png` is `images/a.png`.
 */
fun findMedia(media: List<MediaItem>, target: String): MediaItem? {
    val clean = target.substringBefore('#').split('/').filter { it.isNotEmpty() && it != "." && it != ".." }.joinToString("/")
    return media.firstOrNull { it.path == clean } ?: media.firstOrNull { it.path.endsWith("/$clean") }
}

@Composable
fun Markdown(markdown: String, media: List<MediaItem>, state: LazyListState, modifier: Modifier = Modifier) {
    val blocks = remember(markdown) { parseBlocks(markdown) }
    LazyColumn(modifier, state, PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        items(blocks) { block -> BlockView(block, media) }
    }
}

@Composable
private fun BlockView(block: Block, media: List<MediaItem>) {
    val type = MaterialTheme.typography
    when (block) {
        is Block.Heading -> Text(inline(block.text), style = if (block.level <= 1) type.headlineSmall else type.titleMedium)
        is Block.Paragraph -> Text(inline(block.text), style = type.bodyLarge)
        is Block.Item -> Row {
            Text(block.marker, style = type.bodyLarge, modifier = Modifier.width(28.dp))
            Text(inline(block.text), style = type.bodyLarge)
        }
        is Block.Image -> MediaImage(findMedia(media, block.target), block.alt)
        is Block.LinkLine -> {
            val item = findMedia(media, block.target)
            if (item != null && isAudio(item)) AudioButton(item, block.label)
            else Text(inline("[${block.label}](${block.target})"), style = type.bodyLarge)
        }
    }
}
