#!/usr/bin/env python3
"""Independent checks of keyledger report files, run by KeyLedgerReportsTests.

Each command prints one JSON value on standard output. Exit status 3 means a
needed Python package is missing, and the Swift test skips itself.

  schema SCHEMA JSON       validate JSON against the JSON Schema SCHEMA
  html FILE                count the elements of an HTML file and read its status banner
  csv FILE...              the number of fields of every record of each CSV file
  markdown FILE            the cell count of every row of every table in a Markdown file
  markdown-render FILE     the text and markup of every block of a Markdown file, as markdown-it-py renders it
  png FILE                 size, distinct colors and non-white share of a PNG screenshot
  sample SEED ANCHOR ID... the SHA-256 ranking digest of each change id, as documented
"""

import csv
import hashlib
import io
import json
import struct
import sys
import zlib
from html.parser import HTMLParser


def check_schema(schema_path, json_path):
    try:
        import jsonschema
    except ImportError:
        print("the Python package jsonschema is not installed: pip install jsonschema", file=sys.stderr)
        sys.exit(3)
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(json_path, encoding="utf-8") as handle:
        document = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    return {
        "valid": not errors,
        "errors": ["/".join(str(part) for part in error.absolute_path) + ": " + error.message for error in errors[:20]],
    }


class StructureParser(HTMLParser):
    """Counts start tags and collects the text of the status banner."""

    VOID = {"meta", "col", "br", "img", "input", "link", "hr", "area", "base", "embed", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = {}
        self.stack = []
        self.status_depth = None
        self.status_text = []
        self.first_section = None
        self.mismatched = 0

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        classes = (dict(attrs).get("class") or "").split()
        if tag == "section" and self.first_section is None:
            self.first_section = dict(attrs).get("id")
        if tag not in self.VOID:
            self.stack.append(tag)
            if tag == "div" and "status" in classes and self.status_depth is None:
                self.status_depth = len(self.stack)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.mismatched += 1
            if tag in self.stack:
                while self.stack and self.stack[-1] != tag:
                    self.stack.pop()
        if self.stack:
            if self.status_depth is not None and len(self.stack) == self.status_depth:
                self.status_depth = -1
            self.stack.pop()

    def handle_data(self, data):
        if self.status_depth is not None and self.status_depth > 0:
            self.status_text.append(data)


def check_html(path):
    parser = StructureParser()
    with open(path, encoding="utf-8") as handle:
        parser.feed(handle.read())
    parser.close()
    return {
        "tags": parser.tags,
        "unclosed": parser.stack,
        "mismatched": parser.mismatched,
        "status": " ".join("".join(parser.status_text).split()),
        "first_section": parser.first_section,
    }


def check_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        data = handle.read()
    records = list(csv.reader(io.StringIO(data, newline=""), strict=True))
    return {
        "lengths": [len(record) for record in records],
        "first_fields": [record[0] if record else "" for record in records],
        "all_fields": [field for record in records for field in record],
        "crlf": data.count("\r\n"),
        "lines": len(data.splitlines()),
    }


def split_row(line):
    """Splits a Markdown table row on pipes that no backslash escapes."""
    cells, current, escaped = [], [], False
    for character in line.strip():
        if escaped:
            current.append(character)
            escaped = False
        elif character == "\\":
            current.append(character)
            escaped = True
        elif character == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(character)
    cells.append("".join(current))
    return cells[1:-1]


def check_markdown(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    tables, current = [], None
    for line in lines:
        if line.startswith("|"):
            if current is None:
                current = []
                tables.append(current)
            current.append(len(split_row(line)))
        else:
            current = None
    headings = [line.split(" ", 1)[0] for line in lines if line.startswith("#")]
    return {"tables": tables, "headings": headings, "lines": len(lines)}


def render_markdown(path):
    """Renders a Markdown file with markdown-it-py, as CommonMark with GitHub's tables and strikethrough.

    Returns every block that holds text, in order: its type (paragraph,
    heading, th, td), its text as a reader sees it (a <br> as a line feed), and
    the markup its text produced, such as links, emphasis, code or raw HTML
    other than <br>. Also returns how often each token type occurs.
    """
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        print("markdown-it-py is not installed: python3 -m pip install markdown-it-py", file=sys.stderr)
        sys.exit(3)
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)
    blocks, counts, container = [], {}, None
    for token in tokens:
        counts[token.type] = counts.get(token.type, 0) + 1
        if token.type.endswith("_open"):
            container = token.type[: -len("_open")]
        if token.type != "inline":
            if token.type in ("code_block", "fence", "html_block", "hr"):
                blocks.append({"type": token.type, "text": token.content, "markup": [token.type]})
            continue
        text, markup = [], []
        for child in token.children or []:
            counts[child.type] = counts.get(child.type, 0) + 1
            if child.type == "text":
                text.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                text.append("\n")
                markup.append(child.type)
            elif child.type == "html_inline" and child.content.lower() in ("<br>", "<br/>", "<br />"):
                text.append("\n")
            else:
                markup.append(child.type if child.type != "html_inline" else "html_inline " + child.content)
                text.append(child.content)
        blocks.append({"type": container, "text": "".join(text), "markup": markup})
    return {"blocks": blocks, "counts": counts}


def check_png(path):
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG file")
    position, chunks = 8, []
    width = height = bit_depth = color_type = interlace = None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, bit_depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    if bit_depth != 8 or color_type not in (2, 6) or interlace != 0:
        raise SystemExit(f"unsupported PNG layout: depth {bit_depth}, color type {color_type}, interlace {interlace}")

    channels = 3 if color_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    colors, nonwhite, offset = set(), 0, 0

    # Undo the PNG row filters (None, Sub, Up, Average, Paeth), then count the pixels.
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            upper_left = previous[index - channels] if index >= channels else 0
            if kind == 1:
                line[index] = (line[index] + left) & 0xFF
            elif kind == 2:
                line[index] = (line[index] + up) & 0xFF
            elif kind == 3:
                line[index] = (line[index] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                estimate = left + up - upper_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
                predictor = (left, up, upper_left)[distances.index(min(distances))]
                line[index] = (line[index] + predictor) & 0xFF
        for pixel in range(0, stride, channels):
            rgb = bytes(line[pixel:pixel + 3])
            if len(colors) < 4096:
                colors.add(rgb)
            if rgb != b"\xff\xff\xff":
                nonwhite += 1
        previous = line

    return {"width": width, "height": height, "colors": len(colors), "nonwhite_fraction": nonwhite / (width * height)}


def sample_digests(seed, anchor, changes):
    return {change: hashlib.sha256(f"{seed}\n{anchor}\n{change}".encode("utf-8")).hexdigest() for change in changes}


def main():
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "schema":
        result = check_schema(*arguments)
    elif command == "html":
        result = check_html(*arguments)
    elif command == "csv":
        result = [check_csv(path) for path in arguments]
    elif command == "markdown":
        result = check_markdown(*arguments)
    elif command == "markdown-render":
        result = render_markdown(*arguments)
    elif command == "png":
        result = check_png(*arguments)
    elif command == "sample":
        result = sample_digests(arguments[0], arguments[1], arguments[2:])
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
