#!/usr/bin/env python3
"""Writes a Kiwix ZIM file holding every file below a folder, for the pack-size benchmark.

Usage: make_zim.py SRC_DIR OUT.zim [CLUSTER_BYTES]

ZIM is the closest peer format to a pack: an offline content archive with zstd-compressed
clusters. Full-text indexing is off (a pack has none either); libzim's default cluster size
and zstd compression are kept, as a ZIM publisher would ship it.
"""
import mimetypes
import os
import sys

from libzim.writer import Creator, FileProvider, Hint, Item


class FileItem(Item):
    def __init__(self, root, rel):
        super().__init__()
        self.root, self.rel = root, rel

    def get_path(self):
        return self.rel

    def get_title(self):
        return ""

    def get_mimetype(self):
        if self.rel.endswith((".md", ".toml", ".gift")):
            return "text/plain"
        return mimetypes.guess_type(self.rel)[0] or "application/octet-stream"

    def get_contentprovider(self):
        return FileProvider(os.path.join(self.root, self.rel))

    def get_hints(self):
        return {Hint.FRONT_ARTICLE: False, Hint.COMPRESS: self.get_mimetype().startswith("text/")}


def main():
    src, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        os.remove(out)
    creator = Creator(out).config_indexing(False, "eng")
    if len(sys.argv) > 3:
        creator.config_clustersize(int(sys.argv[3]))
    with creator:
        for name, value in [("Title", "benchmark"), ("Language", "eng"), ("Creator", "bench"),
                            ("Publisher", "bench"), ("Date", "2026-01-01"),
                            ("Description", "benchmark corpus"), ("Name", "bench")]:
            creator.add_metadata(name, value)
        first = None
        for dirpath, _, files in sorted(os.walk(src)):
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(dirpath, f), src)
                first = first or rel
                creator.add_item(FileItem(src, rel))
        if first:
            creator.set_mainpath(first)


if __name__ == "__main__":
    main()
