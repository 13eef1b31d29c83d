// A lesson as the core lays it out: one list item per block, styled runs of text, pictures and
// audio by their index in the lesson's media. The app parses no Markdown and matches no paths,
// so a lesson reads the same here as on iOS.
package org.skillpack.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.AnnotatedString
import androidx.compose.ui.text.LinkAnnotation
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.TextLinkStyles
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextDecoration
import androidx.compose.ui.text.withLink
import androidx.compose.ui.text.withStyle
import androidx.compose.ui.unit.dp
import org.skillpack.core.LessonBlock
import org.skillpack.core.MediaItem
import org.skillpack.core.Span

/** The lesson's blocks; a link to another lesson calls [onLesson] with its index. */
@Composable
fun LessonBlocks(
    blocks: List<LessonBlock>,
    media: List<MediaItem>,
    state: LazyListState,
    onLesson: (Int) -> Unit,
    modifier: Modifier = Modifier,
) {
    LazyColumn(modifier, state, PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        itemsIndexed(blocks) { _, block -> BlockView(block, media, onLesson) }
    }
}

@Composable
private fun BlockView(block: LessonBlock, media: List<MediaItem>, onLesson: (Int) -> Unit) {
    val type = MaterialTheme.typography
    when (block) {
        is LessonBlock.Heading -> Text(
            styled(block.text, onLesson),
            style = if (block.level <= 1u) type.headlineSmall else type.titleMedium,
        )
        is LessonBlock.Paragraph -> Text(styled(block.text, onLesson), style = type.bodyLarge)
        is LessonBlock.ListItem -> Row(Modifier.padding(start = (block.depth.toInt() * 20).dp)) {
            Text(block.number?.let { "$it." } ?: "•", style = type.bodyLarge, modifier = Modifier.width(28.dp))
            Text(styled(block.text, onLesson), style = type.bodyLarge)
        }
        is LessonBlock.Quote -> Surface(color = MaterialTheme.colorScheme.secondaryContainer, shape = MaterialTheme.shapes.small) {
            Text(styled(block.text, onLesson), style = type.bodyLarge, modifier = Modifier.padding(12.dp))
        }
        is LessonBlock.Code -> Surface(color = MaterialTheme.colorScheme.surfaceVariant, shape = MaterialTheme.shapes.small) {
            Text(block.text, fontFamily = FontFamily.Monospace, style = type.bodyMedium, modifier = Modifier.padding(12.dp))
        }
        is LessonBlock.Image -> MediaImage(media.getOrNull(block.media.toInt()), block.alt)
        is LessonBlock.Audio -> media.getOrNull(block.media.toInt())?.let { AudioButton(it, block.label) }
            ?: Text(block.label, fontStyle = FontStyle.Italic, style = type.bodyMedium)
        is LessonBlock.Rule -> HorizontalDivider()
    }
}

/** Runs of text in their styles; a run linking to another lesson is tappable. */
private fun styled(spans: List<Span>, onLesson: (Int) -> Unit): AnnotatedString = buildAnnotatedString {
    for (span in spans) {
        val style = SpanStyle(
            fontWeight = if (span.strong) FontWeight.Bold else null,
            fontStyle = if (span.emphasis) FontStyle.Italic else null,
            fontFamily = if (span.code) FontFamily.Monospace else null,
        )
        val lesson = span.lesson
        if (lesson == null) {
            withStyle(style) { append(span.text) }
        } else {
            val link = LinkAnnotation.Clickable(
                tag = "lesson-$lesson",
                styles = TextLinkStyles(SpanStyle(textDecoration = TextDecoration.Underline)),
            ) { onLesson(lesson.toInt()) }
            withLink(link) { withStyle(style) { append(span.text) } }
        }
    }
}
