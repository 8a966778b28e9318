"""The text of a PDF, read independently of the code that wrote it (no PDF library is installed).

Enough of PDF for what fpdf2 writes: objects, Flate-compressed streams, fonts with a ToUnicode map (the
2-byte glyph codes of embedded TrueType fonts) or plain single-byte strings (the standard fonts), and the
text operators Tf, Tj, TJ and ET. Each text object (BT ... ET) becomes one line.
"""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in OBJECT.findall(data)}


def _stream(body: bytes) -> bytes:
    found = STREAM.search(body)
    if not found:
        return b""
    raw = found.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _fonts(objects: dict[int, bytes]) -> dict[bytes, dict[int, str] | None]:
    """Font resource name (b"F1") -> its code-to-text map, or None for a single-byte (standard) font."""
    fonts: dict[bytes, dict[int, str] | None] = {}
    for body in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", body, re.S):
            for name, number in re.findall(rb"/(\w+)\s+(\d+) 0 R", block):
                font = objects.get(int(number), b"")
                to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
                fonts[name] = _unicode_map(_stream(objects[int(to_unicode.group(1))])) if to_unicode else None
    return fonts


def _literal(content: bytes, start: int) -> tuple[bytes, int]:
    """A (...) string from ``start`` (just after the opening bracket), with its escapes read; and where it ends."""
    out, depth, index = bytearray(), 1, start
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while index < len(content):
        byte = content[index]
        if byte == 0x5C:  # backslash
            following = content[index + 1]
            if following in escapes:
                out.append(escapes[following])
                index += 2
            elif 0x30 <= following <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", content[index + 1 : index + 4]).group(0)
                out.append(int(digits, 8))
                index += 1 + len(digits)
            elif following in (0x0A, 0x0D):
                index += 2
            else:
                out.append(following)
                index += 2
            continue
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out.append(byte)
        index += 1
    return bytes(out), index


def _decode(raw: bytes, mapping: dict[int, str] | None) -> str:
    if mapping is None:
        return raw.decode("latin-1")
    return "".join(mapping.get(int.from_bytes(raw[i : i + 2], "big"), "") for i in range(0, len(raw) - 1, 2))


TOKEN = re.compile(rb"\(|<[0-9A-Fa-f\s]*>|/[^\s/\[\]()<>]+|[A-Za-z*']+|\[|\]|-?\d*\.?\d+")


def pdf_lines(data: bytes) -> list[str]:
    """Every line of text in the PDF, in the order drawn."""
    objects = _objects(data)
    fonts = _fonts(objects)
    lines: list[str] = []
    for body in objects.values():
        if b"/Length" not in body or b"/Type /XObject" in body or b"/Subtype" in body:
            continue
        content = _stream(body)
        if b"BT" not in content:
            continue
        font, current, index = None, [], 0
        pending: list[bytes] = []
        while index < len(content):
            match = TOKEN.search(content, index)
            if not match:
                break
            token, index = match.group(0), match.end()
            if token == b"(":
                raw, index = _literal(content, index)
                pending.append(raw)
            elif token.startswith(b"<") and token.endswith(b">"):
                pending.append(bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode()))
            elif token.startswith(b"/"):
                font = token[1:]
            elif token in (b"Tj", b"TJ", b"'"):
                current.append("".join(_decode(raw, fonts.get(font)) for raw in pending))
                pending = []
            elif token == b"ET":
                if current:
                    lines.append("".join(current))
                current = []
            elif token not in (b"[", b"]"):
                if token.isalpha():
                    pending = [] if token not in (b"Tf",) else pending
    return lines


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_lines(data))
