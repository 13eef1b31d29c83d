#!/usr/bin/env python3
"""Builds a real multilingual catalogue of Skillpack module folders for the pack-size benchmark.

Usage: real_catalogue.py OUT_DIR [--cache DIR] [--languages en,de,...] [--module-per section|chapter]

The text is the Debian Reference (Osamu Aoki et al., GPL-2+), the same documentation in
several languages, as Debian ships it in the packages debian-reference-LANG (one HTML file
per chapter). Each package is fetched with `apt-get download` into the cache folder (run
`apt-get update` once first) and unpacked there with `dpkg-deb -x`; later runs reuse the
cache.

Output: OUT_DIR/LANG/MODULE-ID/ for each language, a module folder as docs/authoring.md
describes it: module.toml, questions.toml and lessons/NN-NAME.md.

- By default one module per major section of a chapter (2.1, 2.2, ...), and one for a
  chapter's introduction when it has text before its first section; with
  `--module-per chapter`, one module per chapter.
- One lesson per sub-section (2.1.1, ...); text that comes before a section's first
  sub-section is a lesson of its own, titled with the section's title.
- The HTML becomes plain CommonMark: headings, paragraphs, lists, code blocks, notes as
  quotes, tables as one list item per row, links as their text. Navigation, tables of
  contents, images and scripts are dropped. Footnotes follow the lesson that cites them.
- The question bank asks, in the module's language, which lesson belongs to the module
  (single choice, distractors from the neighbouring modules), whether a lesson title belongs
  to it (true/false), and for the order of its lessons (ordering).
- Module ids are debref-CHAPTER-NN-LANG (debref-ch02-01-de), so they are unique across
  languages; `language` is the BCP 47 tag (zh-CN, pt-BR).

Each OUT_DIR/LANG folder is replaced as a whole. The same packages give the same bytes.
Python 3 standard library only.
"""
import argparse
import glob
import html.parser
import os
import re
import shutil
import subprocess
import unicodedata

DEFAULT_LANGUAGES = ["en", "de", "es", "id", "it", "ja", "zh-cn", "zh-tw"]
PACKAGE_PREFIX = "debian-reference-"
HTML_DIR = os.path.join("usr", "share", "debian-reference")
# A lesson may be 1 MiB (docs/authoring.md); longer ones are split well below that.
SPLIT_BYTES = 512 * 1024
TITLE_MAX_BYTES = 120
SLUG_MAX = 48
MINUTES_MAX = 240
MAX_LIST = 20

# The question texts, per language. {module}, {answer}, {title}, {other} and {doc} are
# filled in with titles and the document's own name in that language.
TEXTS = {
    "en": {
        "single": "Which of these is a lesson of the module “{module}”?",
        "single_why": "“{answer}” is a lesson of this module. The other titles belong to other modules of the {doc}.",
        "tf": "“{title}” is a lesson of this module.",
        "tf_yes": "Yes: “{title}” is a lesson of this module.",
        "tf_no": "No: “{title}” belongs to the module “{other}”.",
        "order": "Put the lessons of this module in order.",
        "order_why": "The lessons follow the order of the {doc}.",
        "part": "This module is part of the {doc}.",
        "part_why": "Every module of this catalogue is a section of the {doc}.",
    },
    "de": {
        "single": "Welche dieser Lektionen gehört zum Modul „{module}“?",
        "single_why": "„{answer}“ ist eine Lektion dieses Moduls. Die anderen Titel gehören zu anderen Modulen der {doc}.",
        "tf": "„{title}“ ist eine Lektion dieses Moduls.",
        "tf_yes": "Ja: „{title}“ ist eine Lektion dieses Moduls.",
        "tf_no": "Nein: „{title}“ gehört zum Modul „{other}“.",
        "order": "Bringen Sie die Lektionen dieses Moduls in die richtige Reihenfolge.",
        "order_why": "Die Lektionen folgen der Reihenfolge der {doc}.",
        "part": "Dieses Modul ist ein Teil der {doc}.",
        "part_why": "Jedes Modul dieses Katalogs ist ein Abschnitt der {doc}.",
    },
    "es": {
        "single": "¿Cuál de estas es una lección del módulo «{module}»?",
        "single_why": "«{answer}» es una lección de este módulo. Los otros títulos pertenecen a otros módulos de la {doc}.",
        "tf": "«{title}» es una lección de este módulo.",
        "tf_yes": "Sí: «{title}» es una lección de este módulo.",
        "tf_no": "No: «{title}» pertenece al módulo «{other}».",
        "order": "Ordena las lecciones de este módulo.",
        "order_why": "Las lecciones siguen el orden de la {doc}.",
        "part": "Este módulo forma parte de la {doc}.",
        "part_why": "Cada módulo de este catálogo es una sección de la {doc}.",
    },
    "fr": {
        "single": "Laquelle de ces leçons fait partie du module « {module} » ?",
        "single_why": "« {answer} » est une leçon de ce module. Les autres titres appartiennent à d'autres modules de la {doc}.",
        "tf": "« {title} » est une leçon de ce module.",
        "tf_yes": "Oui : « {title} » est une leçon de ce module.",
        "tf_no": "Non : « {title} » appartient au module « {other} ».",
        "order": "Remettez les leçons de ce module dans l'ordre.",
        "order_why": "Les leçons suivent l'ordre de la {doc}.",
        "part": "Ce module fait partie de la {doc}.",
        "part_why": "Chaque module de ce catalogue est une section de la {doc}.",
    },
    "id": {
        "single": "Manakah yang merupakan pelajaran dalam modul “{module}”?",
        "single_why": "“{answer}” adalah pelajaran dalam modul ini. Judul lainnya termasuk modul lain dari {doc}.",
        "tf": "“{title}” adalah pelajaran dalam modul ini.",
        "tf_yes": "Ya: “{title}” adalah pelajaran dalam modul ini.",
        "tf_no": "Bukan: “{title}” termasuk modul “{other}”.",
        "order": "Urutkan pelajaran dalam modul ini.",
        "order_why": "Pelajaran mengikuti urutan {doc}.",
        "part": "Modul ini adalah bagian dari {doc}.",
        "part_why": "Setiap modul dalam katalog ini adalah satu bagian dari {doc}.",
    },
    "it": {
        "single": "Quale di queste è una lezione del modulo «{module}»?",
        "single_why": "«{answer}» è una lezione di questo modulo. Gli altri titoli appartengono ad altri moduli della {doc}.",
        "tf": "«{title}» è una lezione di questo modulo.",
        "tf_yes": "Sì: «{title}» è una lezione di questo modulo.",
        "tf_no": "No: «{title}» appartiene al modulo «{other}».",
        "order": "Metti in ordine le lezioni di questo modulo.",
        "order_why": "Le lezioni seguono l'ordine della {doc}.",
        "part": "Questo modulo fa parte della {doc}.",
        "part_why": "Ogni modulo di questo catalogo è una sezione della {doc}.",
    },
    "ja": {
        "single": "モジュール「{module}」のレッスンはどれですか？",
        "single_why": "「{answer}」はこのモジュールのレッスンです。ほかのタイトルは{doc}の別のモジュールのものです。",
        "tf": "「{title}」はこのモジュールのレッスンである。",
        "tf_yes": "はい。「{title}」はこのモジュールのレッスンです。",
        "tf_no": "いいえ。「{title}」はモジュール「{other}」のレッスンです。",
        "order": "このモジュールのレッスンを正しい順番に並べてください。",
        "order_why": "レッスンは{doc}の順番に従っています。",
        "part": "このモジュールは{doc}の一部である。",
        "part_why": "このカタログのモジュールはすべて{doc}の節です。",
    },
    "pt": {
        "single": "Qual destas é uma lição do módulo «{module}»?",
        "single_why": "«{answer}» é uma lição deste módulo. Os outros títulos pertencem a outros módulos da {doc}.",
        "tf": "«{title}» é uma lição deste módulo.",
        "tf_yes": "Sim: «{title}» é uma lição deste módulo.",
        "tf_no": "Não: «{title}» pertence ao módulo «{other}».",
        "order": "Coloque as lições deste módulo na ordem certa.",
        "order_why": "As lições seguem a ordem da {doc}.",
        "part": "Este módulo faz parte da {doc}.",
        "part_why": "Cada módulo deste catálogo é uma secção da {doc}.",
    },
    "pt-br": {
        "single": "Qual destas é uma lição do módulo “{module}”?",
        "single_why": "“{answer}” é uma lição deste módulo. Os outros títulos pertencem a outros módulos da {doc}.",
        "tf": "“{title}” é uma lição deste módulo.",
        "tf_yes": "Sim: “{title}” é uma lição deste módulo.",
        "tf_no": "Não: “{title}” pertence ao módulo “{other}”.",
        "order": "Coloque as lições deste módulo na ordem certa.",
        "order_why": "As lições seguem a ordem da {doc}.",
        "part": "Este módulo faz parte da {doc}.",
        "part_why": "Cada módulo deste catálogo é uma seção da {doc}.",
    },
    "zh-cn": {
        "single": "以下哪一项是模块“{module}”中的课程？",
        "single_why": "“{answer}”是本模块的一课。其他标题属于{doc}的其他模块。",
        "tf": "“{title}”是本模块中的一课。",
        "tf_yes": "是的，“{title}”是本模块中的一课。",
        "tf_no": "不是，“{title}”属于模块“{other}”。",
        "order": "请按正确顺序排列本模块的课程。",
        "order_why": "课程按照{doc}的顺序排列。",
        "part": "本模块是{doc}的一部分。",
        "part_why": "本目录中的每个模块都是{doc}的一节。",
    },
    "zh-tw": {
        "single": "以下哪一項是模組「{module}」中的課程？",
        "single_why": "「{answer}」是本模組的一課。其他標題屬於{doc}的其他模組。",
        "tf": "「{title}」是本模組中的一課。",
        "tf_yes": "是的，「{title}」是本模組中的一課。",
        "tf_no": "不是，「{title}」屬於模組「{other}」。",
        "order": "請按正確順序排列本模組的課程。",
        "order_why": "課程依照{doc}的順序排列。",
        "part": "本模組是{doc}的一部分。",
        "part_why": "本目錄中的每個模組都是{doc}的一節。",
    },
}

# Languages whose reading speed is counted in characters rather than words.
CJK_LANGUAGES = {"ja", "zh-cn", "zh-tw", "zh", "ko"}


# ---------------------------------------------------------------------------------------
# Fetching the packages

def run(cmd, cwd=None):
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (" ".join(cmd), result.stderr.decode("utf-8", "replace")))
    return result.stdout.decode("utf-8", "replace")


def newest_deb(debs):
    """The .deb with the highest version, as dpkg orders versions."""
    best = None
    for deb in debs:
        if best is None:
            best = deb
            continue
        newer = subprocess.run(
            ["dpkg", "--compare-versions", deb_field(deb, "Version"), "gt", deb_field(best, "Version")]
        ).returncode == 0
        if newer:
            best = deb
    return best


def deb_field(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).strip()


def fetch(package, cache):
    """Downloads PACKAGE into CACHE unless a .deb of it is there, and unpacks it.

    Returns (version, folder the package was unpacked into)."""
    pattern = os.path.join(cache, glob.escape(package) + "_*.deb")
    debs = sorted(glob.glob(pattern))
    if not debs:
        result = subprocess.run(["apt-get", "download", package], cwd=cache,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        debs = sorted(glob.glob(pattern))
        if result.returncode != 0 or not debs:
            raise SystemExit(
                "apt-get download %s failed (run `apt-get update` first?):\n%s"
                % (package, result.stderr.decode("utf-8", "replace")))
    deb = newest_deb(debs)
    version = deb_field(deb, "Version")
    unpacked = os.path.join(cache, "unpacked", "%s_%s" % (package, version.replace(":", "%3a")))
    if not os.path.isdir(unpacked):
        partial = unpacked + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(partial)
        run(["dpkg-deb", "-x", deb, partial])
        os.rename(partial, unpacked)
    return version, unpacked


# ---------------------------------------------------------------------------------------
# A small DOM of the (well-formed XHTML) pages

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "param", "source", "track", "wbr"}


class Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = attrs
        self.children = []
        self.parent = parent

    def classes(self):
        return set(self.attrs.get("class", "").split())

    def elements(self):
        return [c for c in self.children if isinstance(c, Node)]


class TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID_TAGS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def find(node, pred):
    """The first element below NODE (depth first, document order) that PRED accepts."""
    for child in node.elements():
        if pred(child):
            return child
        hit = find(child, pred)
        if hit is not None:
            return hit
    return None


def find_all(node, pred, out=None):
    out = [] if out is None else out
    for child in node.elements():
        if pred(child):
            out.append(child)
        else:
            find_all(child, pred, out)
    return out


def raw_text(node):
    if isinstance(node, str):
        return node
    return "".join(raw_text(c) for c in node.children)


def clean(text):
    """Text without control characters (tabs and line feeds kept)."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)


def collapse(text):
    return re.sub(r"\s+", " ", clean(text)).strip()


# ---------------------------------------------------------------------------------------
# HTML to CommonMark

INLINE_TAGS = {"a", "abbr", "acronym", "b", "big", "br", "cite", "code", "em", "i", "img",
               "kbd", "q", "samp", "small", "span", "strong", "sub", "sup", "tt", "u", "var",
               "#text"}
SKIP_TAGS = {"script", "style", "head", "title", "meta", "link", "img", "colgroup", "col",
             "hr", "br", "object", "iframe", "form", "input", "button", "noscript"}
SKIP_CLASSES = {"toc", "navheader", "navfooter", "list-of-tables", "list-of-figures",
                "list-of-examples", "indexterm", "footnotes"}
ADMONITIONS = {"note", "tip", "caution", "warning", "important"}


def escape_text(text):
    """Escapes characters that CommonMark would read as markup inside a line of text."""
    text = re.sub(r"([\\`*_\[\]<])", r"\\\1", text)
    return re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", text)


def escape_line_start(line):
    """Escapes what would make a paragraph line a heading, quote, list item, fence or rule."""
    m = re.match(r"(\d{1,9})([.)])(?=\s|$)", line)
    if m:
        return m.group(1) + "\\" + line[len(m.group(1)):]
    if line[:1] in ("#", ">", "+", "-", "=", "~"):
        return "\\" + line
    return line


def code_span(text):
    text = collapse(text)
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = " " + text + " "
    return fence + text + fence


def code_block(text):
    text = clean(text).replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return None
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return fence + "\n" + body + "\n" + fence


def indent(block, prefix_first, prefix_rest):
    lines = block.split("\n")
    out = [prefix_first + lines[0]]
    for line in lines[1:]:
        out.append(prefix_rest + line if line else "")
    return "\n".join(out)


def quote(blocks):
    lines = []
    for i, block in enumerate(blocks):
        if i:
            lines.append(">")
        for line in block.split("\n"):
            lines.append("> " + line if line else ">")
    return "\n".join(lines)


class Renderer:
    """Turns DocBook XSL output into Markdown blocks for one lesson at a time."""

    def __init__(self, footnotes):
        self.footnotes = footnotes  # footnote id -> its div
        self.cited = []             # footnote ids cited by the current lesson, in order
        self.base_level = 1         # the HTML heading level of the current lesson's title
        self.first_paragraph = None

    # Inline content: one line of Markdown text.
    def inline(self, nodes):
        parts = []
        for node in nodes:
            parts.append(self.inline_node(node))
        return re.sub(r"[ \t\n]+", " ", "".join(parts))

    def inline_node(self, node):
        if isinstance(node, str):
            return escape_text(re.sub(r"\s+", " ", clean(node)))
        tag, classes = node.tag, node.classes()
        if tag in ("img", "script", "style", "colgroup") or classes & SKIP_CLASSES:
            return ""
        if tag == "br":
            return " "
        if tag in ("code", "tt", "kbd", "samp") or (tag == "span" and classes & {"command", "filename", "literal"}):
            return code_span(raw_text(node))
        if tag == "pre":
            return " " + code_span(raw_text(node)) + " "
        if tag == "a" and "footnote" in classes:
            target = node.attrs.get("href", "")
            if target.startswith("#ftn."):
                ident = target[len("#ftn."):]
                if ident in self.footnotes and ident not in self.cited:
                    self.cited.append(ident)
            return escape_text(collapse(raw_text(node)))
        inner = self.inline(node.children)
        if tag in ("strong", "b"):
            return self.wrap(inner, "**")
        if tag in ("em", "i", "cite"):
            return self.wrap(inner, "*")
        if tag in INLINE_TAGS:
            return inner
        return " " + inner + " "  # a block element inside inline content

    @staticmethod
    def wrap(inner, mark):
        core = inner.strip()
        if not core:
            return inner
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        if core.startswith(mark[0]) or core.endswith(mark[0]) or core.endswith("\\"):
            return inner
        return lead + mark + core + mark + trail

    def paragraph(self, nodes):
        text = self.inline(nodes).strip()
        if not text:
            return []
        return [escape_line_start(text)]

    # Block content: a list of Markdown blocks.
    def blocks(self, nodes):
        out = []
        pending = []
        for node in nodes:
            if isinstance(node, str) or node.tag in INLINE_TAGS:
                pending.append(node)
                continue
            out.extend(self.paragraph(pending))
            pending = []
            out.extend(self.block(node))
        out.extend(self.paragraph(pending))
        return out

    def block(self, node):
        tag, classes = node.tag, node.classes()
        if tag in SKIP_TAGS or classes & SKIP_CLASSES:
            return []
        if classes & ADMONITIONS and tag == "div":
            return self.admonition(node)
        if "titlepage" in classes:
            return self.titlepage(node)
        if re.fullmatch(r"h[1-6]", tag):
            return self.heading(int(tag[1]), node)
        if tag == "p":
            out = self.paragraph(node.children)
            if out and self.first_paragraph is None and "title" not in classes:
                self.first_paragraph = collapse(raw_text(node))
            return out
        if tag in ("ul", "ol"):
            return self.list(node, ordered=(tag == "ol"))
        if tag == "dl":
            return self.definitions(node)
        if tag == "pre":
            block = code_block(raw_text(node))
            return [block] if block else []
        if tag == "table":
            return self.table(node)
        if tag == "blockquote":
            inner = self.blocks(node.children)
            return [quote(inner)] if inner else []
        return self.blocks(node.children)

    def heading(self, level, node):
        text = self.inline(node.children).strip()
        if not text:
            return []
        md_level = min(6, max(2, level - self.base_level + 1))
        return ["#" * md_level + " " + text.replace("#", "\\#")]

    def titlepage(self, node):
        out = []
        for h in find_all(node, lambda n: re.fullmatch(r"h[1-6]", n.tag) is not None):
            out.extend(self.heading(int(h.tag[1]), h))
        return out

    def admonition(self, node):
        label = ""
        content = []
        for cell in find_all(node, lambda n: n.tag in ("th", "td")):
            if cell.tag == "th":
                label = label or collapse(raw_text(cell))
            elif find(cell, lambda n: n.tag != "img") is not None or collapse(raw_text(cell)):
                content.extend(self.blocks(cell.children))
        if not find(node, lambda n: n.tag == "table"):
            heading = find(node, lambda n: re.fullmatch(r"h[1-6]", n.tag) is not None)
            label = collapse(raw_text(heading)) if heading is not None else label
            content = self.blocks([c for c in node.children if c is not heading])
        if label:
            content.insert(0, "**" + escape_text(label) + "**")
        return [quote(content)] if content else []

    def list(self, node, ordered):
        items = []
        number = 1
        if ordered and node.attrs.get("start", "").isdigit():
            number = int(node.attrs["start"])
        for li in node.elements():
            if li.tag != "li":
                continue
            blocks = self.blocks(li.children)
            if not blocks:
                continue
            items.append(self.list_item(blocks, "%d. " % number if ordered else "- "))
            number += 1
        return ["\n".join(items)] if items else []

    @staticmethod
    def list_item(blocks, marker):
        pad = " " * len(marker)
        out = [indent(blocks[0], marker, pad)]
        for block in blocks[1:]:
            out.append("")
            out.append(indent(block, pad, pad))
        return "\n".join(out)

    def definitions(self, node):
        items = []
        term = None
        body = []

        def flush():
            if term is None and not body:
                return
            blocks = list(body)
            if term:
                blocks.insert(0, "**" + term + "**" if not term.startswith("*") else term)
            if blocks:
                items.append(self.list_item(blocks, "- "))

        for child in node.elements():
            if child.tag == "dt":
                flush()
                term = self.inline(child.children).strip()
                body = []
            elif child.tag == "dd":
                body.extend(self.blocks(child.children))
        flush()
        return ["\n".join(items)] if items else []

    def table(self, node):
        rows = []
        for tr in find_all(node, lambda n: n.tag == "tr"):
            cells = []
            header = True
            for cell in tr.elements():
                if cell.tag not in ("td", "th"):
                    continue
                header = header and cell.tag == "th"
                cells.append(self.inline(cell.children).strip())
            if not any(cells):
                continue
            if header:
                cells = [self.wrap(c, "**") if c else c for c in cells]
            rows.append("- " + escape_line_start(" | ".join(cells)))
        return ["\n".join(rows)] if rows else []

    def footnote_blocks(self):
        out = []
        done = set()
        i = 0
        while i < len(self.cited):  # a footnote may cite another one
            ident = self.cited[i]
            i += 1
            if ident in done:
                continue
            done.add(ident)
            out.extend(self.blocks(self.footnotes[ident].children))
        return out


# ---------------------------------------------------------------------------------------
# Pages to lessons and modules

class Lesson:
    def __init__(self, title, anchor, blocks):
        self.title = title      # Markdown (escaped) text of the title
        self.anchor = anchor
        self.blocks = blocks


class Part:
    """A chapter's introduction or one of its sections: the lessons of one module."""

    def __init__(self, key, title, lessons, first_paragraph):
        self.key = key
        self.title = title
        self.lessons = lessons
        self.first_paragraph = first_paragraph


def heading_of(section):
    page = next((c for c in section.elements() if "titlepage" in c.classes()), None)
    h = find(page, lambda n: re.fullmatch(r"h[1-6]", n.tag) is not None) if page is not None else None
    if h is None:
        return None, "", ""
    anchor = find(h, lambda n: n.tag == "a" and "id" in n.attrs)
    ident = anchor.attrs["id"] if anchor is not None else h.attrs.get("id", "")
    return h, ident, collapse(raw_text(h))


def is_section(node):
    return node.tag == "div" and "section" in node.classes()


def lesson_from(renderer, level, anchor, title_node, nodes):
    renderer.base_level = level
    renderer.cited = []
    title = renderer.inline(title_node.children).strip() if title_node is not None else ""
    if not title:
        title = escape_text(anchor.strip("_").replace("_", " ")) or "…"
    blocks = renderer.blocks(nodes)
    if blocks:
        blocks.extend(renderer.footnote_blocks())
    return Lesson(title, anchor, blocks)


def read_chapter(path):
    """The parts of one page: (chapter key, chapter title, [Part])."""
    root = parse_html(path)
    top = find(root, lambda n: n.tag == "div" and n.classes() & {"chapter", "preface", "appendix"})
    if top is None:
        raise SystemExit("%s: no chapter, preface or appendix found" % path)
    footnotes = {}
    for box in find_all(top, lambda n: "footnotes" in n.classes()):
        for note in find_all(box, lambda n: n.tag == "div" and "footnote" in n.classes()):
            ident = note.attrs.get("id", "")
            if ident.startswith("ftn."):
                footnotes[ident[len("ftn."):]] = note
    renderer = Renderer(footnotes)
    key = os.path.basename(path).split(".")[0]
    h1, anchor, chapter_title = heading_of(top)
    parts = []
    intro = [c for c in top.children if not (isinstance(c, Node) and (is_section(c) or "titlepage" in c.classes()))]
    renderer.first_paragraph = None
    lesson = lesson_from(renderer, 1, anchor, h1, intro)
    if lesson.blocks:
        parts.append(Part("%s-00" % key, chapter_title, [lesson], renderer.first_paragraph))
    number = 0
    for section in (c for c in top.elements() if is_section(c)):
        number += 1
        renderer.first_paragraph = None
        h2, anchor, title = heading_of(section)
        lessons = []
        own = [c for c in section.children if not (isinstance(c, Node) and (is_section(c) or "titlepage" in c.classes()))]
        lesson = lesson_from(renderer, 2, anchor, h2, own)
        if lesson.blocks:
            lessons.append(lesson)
        for sub in (c for c in section.elements() if is_section(c)):
            h3, sub_anchor, _ = heading_of(sub)
            body = [c for c in sub.children if not (isinstance(c, Node) and "titlepage" in c.classes())]
            lesson = lesson_from(renderer, 3, sub_anchor, h3, body)
            if lesson.blocks:
                lessons.append(lesson)
        if lessons:
            parts.append(Part("%s-%02d" % (key, number), title, lessons, renderer.first_paragraph))
    return key, chapter_title, parts


def page_order(name):
    stem = name.split(".")[0]
    kind = {"pr": 0, "ch": 1, "ap": 2}.get(stem[:2], 3)
    return (kind, len(stem), stem)


def document_pages(folder, lang):
    names = [n for n in os.listdir(folder)
             if n.endswith(".%s.html" % lang) and re.fullmatch(r"(pr|ch|ap)[0-9a-z]+", n.split(".")[0])]
    if not names:
        raise SystemExit("%s: no chapter pages for language %s" % (folder, lang))
    return [os.path.join(folder, n) for n in sorted(names, key=page_order)]


def document_title(folder, lang):
    index = os.path.join(folder, "index.%s.html" % lang)
    if os.path.exists(index):
        h1 = find(parse_html(index), lambda n: n.tag == "h1")
        if h1 is not None and collapse(raw_text(h1)):
            return collapse(raw_text(h1))
    return "Debian Reference"


# ---------------------------------------------------------------------------------------
# Writing module folders

def normalise(text):
    """How a learner would compare two answers: case, accents and spaces ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.casefold()).strip()


def unnumbered(title):
    """A title without its section number (“2.1.3. Foo” -> “Foo”)."""
    bare = re.sub(r"^\s*(?:\d+|[A-Z])(?:\.\d+)*\.?\s+(?=\S)", "", title)
    return bare if bare.strip() else title


def plain_of(md):
    """Plain text of a Markdown title (for module.toml): markup dropped, escapes undone."""
    parts = re.split(r"(\\.)", md)
    text = "".join(p[1] if i % 2 else p.replace("**", "").replace("`", "") for i, p in enumerate(parts))
    return collapse(text)


def fit_bytes(text, limit):
    if len(text.encode("utf-8")) <= limit:
        return text
    while len(text.encode("utf-8")) > limit - len("…".encode("utf-8")):
        text = text[:-1]
    return text.rstrip() + "…"


def slug(anchor):
    """A file name part from a section anchor (the same in every language of the document).

    The anchors are made from the English titles, with `literal` around inline code; that
    word is dropped."""
    words = [w for w in re.split(r"[^a-z0-9]+", anchor.lower()) if w and w != "literal"]
    s = "-".join(words)
    if len(s) > SLUG_MAX:
        s = s[:SLUG_MAX].rsplit("-", 1)[0] if "-" in s[:SLUG_MAX] else s[:SLUG_MAX]
    return s.strip("-") or "lesson"


def module_id(key, lang):
    ident = "debref-%s-%s" % (key, lang.lower())
    ident = re.sub(r"[^a-z0-9-]+", "-", ident).strip("-")
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]", ident):
        raise SystemExit("module id %r breaks the id rules" % ident)
    return ident


def bcp47(lang):
    parts = lang.split("-")
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def toml_str(text):
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def split_lesson(lesson):
    """The lesson's Markdown files' texts: one, or several parts when it is too long."""
    def render(title, blocks):
        return "# " + title.replace("#", "\\#") + "\n\n" + "\n\n".join(blocks) + "\n"

    text = render(lesson.title, lesson.blocks)
    if len(text.encode("utf-8")) <= SPLIT_BYTES:
        return [text]
    chunks, current, size = [], [], 0
    for block in lesson.blocks:
        n = len(block.encode("utf-8")) + 2
        if current and size + n > SPLIT_BYTES - 1024:
            chunks.append(current)
            current, size = [], 0
        current.append(block)
        size += n
    if current:
        chunks.append(current)
    return [render("%s (%d/%d)" % (lesson.title, i + 1, len(chunks)), c) for i, c in enumerate(chunks)]


def reading_minutes(texts, lang):
    body = "\n".join(texts)
    if lang.lower() in CJK_LANGUAGES or lang.split("-")[0].lower() in CJK_LANGUAGES:
        units = sum(1 for c in body if not c.isspace()) / 400.0
    else:
        units = len(body.split()) / 200.0
    return int(min(MINUTES_MAX, max(1, round(units + 2))))


def questions_for(index, modules, texts, doc):
    """The question bank of modules[index], as TOML text."""
    module = modules[index]
    own = []
    seen = set()
    for title in module["titles"]:
        if normalise(title) not in seen and normalise(plain_of(title)) not in seen:
            seen.add(normalise(title))
            seen.add(normalise(plain_of(title)))
            own.append(title)
    others = []  # (title, module title) from the following modules, none read like ours
    taken = set(seen)
    for step in range(1, len(modules)):
        other = modules[(index + step) % len(modules)]
        for title in other["titles"][len(other["titles"]) // 2:][:1]:
            keys = {normalise(title), normalise(plain_of(title))}
            if keys & taken:
                continue
            taken |= keys
            others.append((title, other["md_title"]))
        if len(others) >= 3:
            break
    fill = lambda key, **kw: texts[key].format(doc=doc, **kw)
    qs = []
    if own and others:
        answer = own[len(own) // 2]
        options = [(t, False) for t, _ in others[:3]]
        options.insert(index % (len(options) + 1), (answer, True))
        lines = ["[[question]]", 'id = "which-lesson"', 'type = "single"',
                 "prompt = " + toml_str(fill("single", module=module["md_title"])),
                 "explanation = " + toml_str(fill("single_why", answer=answer)),
                 "options = ["]
        for text, correct in options:
            lines.append("  { text = %s%s }," % (toml_str(text), ", correct = true" if correct else ""))
        lines.append("]")
        qs.append("\n".join(lines))
        if index % 2 == 0:
            title, answer_true, why = own[0], True, fill("tf_yes", title=own[0])
        else:
            title, other_title = others[0]
            answer_true, why = False, fill("tf_no", title=title, other=other_title)
        qs.append("\n".join([
            "[[question]]", 'id = "lesson-of-module"', 'type = "true-false"',
            "prompt = " + toml_str(fill("tf", title=title)),
            "answer = " + ("true" if answer_true else "false"),
            "explanation = " + toml_str(why)]))
    else:
        qs.append("\n".join([
            "[[question]]", 'id = "part-of-document"', 'type = "true-false"',
            "prompt = " + toml_str(fill("part")), "answer = true",
            "explanation = " + toml_str(fill("part_why"))]))
    if len(own) >= 2:
        items = own[:MAX_LIST]
        lines = ["[[question]]", 'id = "lesson-order"', 'type = "ordering"',
                 "prompt = " + toml_str(fill("order")), 'scoring = "partial"',
                 "explanation = " + toml_str(fill("order_why")), "items = ["]
        lines.extend("  %s," % toml_str(t) for t in items)
        lines.append("]")
        qs.append("\n".join(lines))
    return "\n\n".join(qs) + "\n", len(qs)


def build_language(lang, folder, out_root, per, english_keys):
    """Writes OUT_ROOT/LANG/*; returns the language's counts, its lessons' text blocks and its
    module keys. A module whose section the English catalogue has says it translates it."""
    texts = TEXTS.get(lang.lower(), TEXTS.get(lang.split("-")[0].lower(), TEXTS["en"]))
    doc = document_title(folder, lang)
    groups = []  # (key, md title, first paragraph, [Lesson])
    for page in document_pages(folder, lang):
        key, chapter_title, parts = read_chapter(page)
        if per == "chapter":
            lessons = [lesson for part in parts for lesson in part.lessons]
            first = next((p.first_paragraph for p in parts if p.first_paragraph), None)
            if lessons:
                groups.append((key, chapter_title, first, lessons))
        else:
            groups.extend((p.key, p.title, p.first_paragraph, p.lessons) for p in parts)

    modules = []
    for key, title, first, lessons in groups:
        files = []
        for lesson in lessons:
            for text in split_lesson(lesson):
                files.append((slug(lesson.anchor), text, lesson.title))
        modules.append({
            "key": key,
            "id": module_id(key, lang),
            "title": fit_bytes(title or key, TITLE_MAX_BYTES),
            "md_title": escape_text(unnumbered(title) if title else key),
            "summary": fit_bytes(first, 300) if first else None,
            "files": files,
            "titles": [unnumbered(t) for _, _, t in files],
            "blocks": [b for lesson in lessons for b in lesson.blocks],
        })

    lang_dir = os.path.join(out_root, lang)
    shutil.rmtree(lang_dir, ignore_errors=True)
    counts = {"modules": 0, "lessons": 0, "bytes": 0, "questions": 0}
    ids = set()
    for index, module in enumerate(modules):
        if module["id"] in ids:
            raise SystemExit("module id %s is used twice" % module["id"])
        ids.add(module["id"])
        mdir = os.path.join(lang_dir, module["id"])
        os.makedirs(os.path.join(mdir, "lessons"))
        width = max(2, len(str(len(module["files"]))))
        names = set()
        for n, (name, text, _) in enumerate(module["files"], start=1):
            base = "%0*d-%s" % (width, n, name)
            while base in names:
                base += "-x"
            names.add(base)
            data = text.encode("utf-8")
            with open(os.path.join(mdir, "lessons", base + ".md"), "wb") as f:
                f.write(data)
            counts["lessons"] += 1
            counts["bytes"] += len(data)
        bank, nq = questions_for(index, modules, texts, doc)
        with open(os.path.join(mdir, "questions.toml"), "wb") as f:
            f.write(bank.encode("utf-8"))
        outcomes = []
        for t in module["titles"]:
            p = fit_bytes(plain_of(t), 200)
            if p and normalise(p) not in {normalise(o) for o in outcomes}:
                outcomes.append(p)
        outcomes = outcomes[:10] or [module["title"]]
        lines = [
            "id = " + toml_str(module["id"]),
            'version = "1.0.0"',
            "title = " + toml_str(module["title"]),
            "language = " + toml_str(bcp47(lang)),
            "minutes = %d" % reading_minutes([t for _, t, _ in module["files"]], lang),
        ]
        if lang != "en" and module["key"] in english_keys:
            lines.append("translates = " + toml_str(module_id(module["key"], "en")))
        if module["summary"]:
            lines.append("summary = " + toml_str(module["summary"]))
        lines.append("outcomes = [")
        lines.extend("  %s," % toml_str(o) for o in outcomes)
        lines.append("]")
        lines += ["", "[assessment]", "pass_mark = 70", "draw = %d" % nq]
        with open(os.path.join(mdir, "module.toml"), "wb") as f:
            f.write(("\n".join(lines) + "\n").encode("utf-8"))
        counts["modules"] += 1
        counts["questions"] += nq
    blocks = [b for m in modules for b in m["blocks"]]
    return counts, blocks, {m["key"] for m in modules}


def untranslated_share(blocks, english):
    """Share of a language's longer text blocks (no code) that are the English text as is."""
    total = same = 0
    for block in blocks:
        if block.startswith("```") or len(block.encode("utf-8")) < 60:
            continue
        total += 1
        same += block in english
    return same / total if total else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--cache", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "skillpack-real-catalogue"), help="where the .deb files are kept and unpacked")
    parser.add_argument("--languages", default=",".join(DEFAULT_LANGUAGES),
                        help="comma-separated debian-reference languages (default: %(default)s); "
                             "also fr, pt, pt-br")
    parser.add_argument("--module-per", choices=["section", "chapter"], default="section",
                        help="one module per section (default) or per chapter")
    args = parser.parse_args()
    langs = []
    for lang in args.languages.split(","):
        lang = lang.strip().lower()
        if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", lang):
            raise SystemExit("not a language code: %r" % lang)
        if lang not in langs:
            langs.append(lang)
    # English first, so that the other languages can be compared with it.
    langs.sort(key=lambda l: l != "en")
    cache = os.path.abspath(args.cache)
    os.makedirs(cache, exist_ok=True)
    os.makedirs(args.out_dir, exist_ok=True)

    totals = {"modules": 0, "lessons": 0, "bytes": 0, "questions": 0}
    english = None
    english_keys = set()
    rows = []
    for lang in langs:
        package = PACKAGE_PREFIX + lang
        version, unpacked = fetch(package, cache)
        counts, blocks, keys = build_language(
            lang, os.path.join(unpacked, HTML_DIR), args.out_dir, args.module_per, english_keys)
        if lang == "en":
            english = {b for b in blocks if not b.startswith("```")}
            english_keys = keys
        share = untranslated_share(blocks, english) if english is not None and lang != "en" else None
        rows.append((lang, package, version, counts, share))
        for k in totals:
            totals[k] += counts[k]

    print("source: Debian Reference, one module per %s" % args.module_per)
    print("%-6s %-28s %-8s %8s %8s %10s %14s  %s" % (
        "lang", "package", "version", "modules", "lessons", "questions", "lesson bytes", "as English"))
    for lang, package, version, c, share in rows:
        print("%-6s %-28s %-8s %8d %8d %10d %14d  %s" % (
            lang, package, version, c["modules"], c["lessons"], c["questions"], c["bytes"],
            "-" if share is None else "%.1f%%" % (100 * share)))
    print("total: %d languages, %d modules, %d lessons, %d questions, %d bytes (%.1f MB) of lesson text"
          % (len(rows), totals["modules"], totals["lessons"], totals["questions"], totals["bytes"],
             totals["bytes"] / 1e6))
    print("(\"as English\": text blocks of 60 bytes or more left untranslated, identical to the English ones)")


if __name__ == "__main__":
    main()
