"""The parts of a who-works-with-whom diagram (`portal.network.layout` places them): the
records and links it shows, the boxes, lines and labels it draws, and how a name is wrapped
to fit its box. Pure Python: no Django, no I/O.

Kinds of record are told apart by shape as well as colour (square corners for an
organisation, round ends for an initiative, cut corners for a sector), and relations by line
style (solid for a lead, dashed for a partner, dotted for part of, thin for a sector; see
static/css/network.css).
"""

import unicodedata
from dataclasses import dataclass

ORGANISATION, INITIATIVE, SECTOR = "organisation", "initiative", "sector"
LEADS, PARTNER, PART_OF, IN_SECTOR = "leads", "partner", "part_of", "in_sector"

# Drawing units of the SVG viewBox. Pages show a diagram at its natural width (one unit, one
# CSS pixel) where there is room, so FONT_SIZE is the text's size in pixels (network.css).
FONT_SIZE = 15
LINE_HEIGHT = 19
BOX_PADDING_X, BOX_PADDING_Y = 10, 6
MAX_LINES = 3  # a longer name ends in "…"; the link's tooltip and the table give it whole

# Rough advance widths, in ems, of the system fonts' glyphs; generous, so that text fits its
# box in any of the fonts portal.css names. Wide (CJK) characters take a whole em.
_EM_WIDE, _EM_CAPITAL, _EM_SPACE, _EM_OTHER = 1.0, 0.7, 0.3, 0.56
ELLIPSIS = "…"


@dataclass(frozen=True)
class Node:
    """A record in a diagram. `key` is unique within a diagram (e.g. "organisation:astri");
    `lang` is "en" where the name is English standing in for a missing translation."""

    key: str
    kind: str
    name: str
    url: str
    lang: str = ""


@dataclass(frozen=True)
class Link:
    """`source` `relation` `target`: an organisation leads an initiative, is a partner in
    one, is part of another organisation; an organisation or initiative is in a sector."""

    source: Node
    relation: str
    target: Node


@dataclass(frozen=True)
class Group:
    """Neighbours of the record in the middle of an ego diagram that share one relation."""

    heading: str
    relation: str
    nodes: tuple


@dataclass(frozen=True)
class Box:
    node: Node
    x: float
    y: float
    width: float
    height: float
    lines: tuple  # the name, wrapped to the box
    centre: bool = False

    @property
    def middle_y(self):
        return self.y + self.height / 2

    @property
    def right(self):
        return self.x + self.width

    @property
    def outline(self):
        """The box's shape as SVG path data, by the kind of its node."""
        return _outline(self.node.kind, self.x, self.y, self.width, self.height)

    @property
    def focus_ring(self):
        """The same shape 4 units larger all round, drawn when the link has focus."""
        return _outline(
            self.node.kind, self.x - 4, self.y - 4, self.width + 8, self.height + 8, grow=4
        )

    @property
    def text_lines(self):
        """[(text, x, y)]: each line of the name, centred in the box (y is the baseline)."""
        top = self.y + (self.height - len(self.lines) * LINE_HEIGHT) / 2
        centre = rounded(self.x + self.width / 2)
        # A baseline sits about 0.35 em below the middle of its line box.
        return [
            (line, centre, rounded(top + (i + 0.5) * LINE_HEIGHT + 0.35 * FONT_SIZE))
            for i, line in enumerate(self.lines)
        ]


@dataclass(frozen=True)
class Edge:
    relation: str
    path: str  # SVG path data


@dataclass(frozen=True)
class Label:
    """Text that is not a link: a group's heading, a column's, or "and N more"."""

    text: str
    x: float
    y: float
    heading: bool = True


@dataclass(frozen=True)
class Diagram:
    """A laid-out diagram: `items` (Boxes and Labels) in reading order, which is the order
    a screen reader meets them in, and `edges`, drawn beneath them."""

    width: int
    height: int
    items: tuple
    edges: tuple
    hidden: int = 0  # neighbours left out of the drawing (the table has them)

    @property
    def boxes(self):
        return tuple(item for item in self.items if isinstance(item, Box))

    @property
    def labels(self):
        return tuple(item for item in self.items if isinstance(item, Label))


def rounded(value):
    return round(value, 1)


def _outline(kind, x, y, width, height, grow=0):
    x, y, width, height = rounded(x), rounded(y), rounded(width), rounded(height)
    right, bottom = rounded(x + width), rounded(y + height)
    if kind == INITIATIVE:
        r = min(12 + grow, height / 2)
        return (
            f"M{rounded(x + r)} {y}H{rounded(right - r)}A{r} {r} 0 0 1 {right} {rounded(y + r)}"
            f"V{rounded(bottom - r)}A{r} {r} 0 0 1 {rounded(right - r)} {bottom}"
            f"H{rounded(x + r)}A{r} {r} 0 0 1 {x} {rounded(bottom - r)}"
            f"V{rounded(y + r)}A{r} {r} 0 0 1 {rounded(x + r)} {y}Z"
        )
    if kind == SECTOR:
        c = min(8 + grow / 2, height / 2)
        return (
            f"M{rounded(x + c)} {y}H{rounded(right - c)}L{right} {rounded(y + c)}"
            f"V{rounded(bottom - c)}L{rounded(right - c)} {bottom}H{rounded(x + c)}"
            f"L{x} {rounded(bottom - c)}V{rounded(y + c)}Z"
        )
    return f"M{x} {y}H{right}V{bottom}H{x}Z"


def char_width(char):
    """A character's estimated advance width in ems (see the constants above)."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _EM_WIDE
    if char.isspace():
        return _EM_SPACE
    if char.isupper() or char.isdigit():
        return _EM_CAPITAL
    return _EM_OTHER


def text_width(text, size=FONT_SIZE):
    """`text`'s estimated width in drawing units at `size`."""
    return sum(char_width(char) for char in text) * size


def _tokens(text):
    """Words, and each wide character as a word of its own (Chinese breaks between any two)."""
    tokens, word = [], ""
    for char in text:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if char.isspace() or wide:
            if word:
                tokens.append(word)
            word = ""
            if wide:
                tokens.append(char)
            else:
                tokens.append(" ")
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


def _break_word(word, width):
    """A word too long for a line, cut into pieces that fit."""
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece] if piece else pieces


def wrap(text, width, max_lines=MAX_LINES):
    """`text` in lines no wider than `width` units, at most `max_lines` of them; where it
    needs more, the last line ends in an ellipsis."""
    lines, line = [], ""
    for token in _tokens(" ".join(text.split())):
        if token == " ":
            if line:
                line += " "
            continue
        if text_width(line + token) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        if text_width(token) > width:
            *whole, token = _break_word(token, width)
            lines.extend(whole)
        line = token
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) <= max_lines:
        return tuple(lines)
    last = lines[max_lines - 1]
    while last and text_width(last + ELLIPSIS) > width:
        last = last[:-1]
    return (*lines[: max_lines - 1], last.rstrip() + ELLIPSIS)


def make_box(node, x, y, width, centre=False):
    """A Box for `node` at (x, y), `width` wide and as tall as its wrapped name needs."""
    lines = wrap(node.name, width - 2 * BOX_PADDING_X) or (ELLIPSIS,)
    height = len(lines) * LINE_HEIGHT + 2 * BOX_PADDING_Y
    return Box(node, rounded(x), rounded(y), width, height, lines, centre)


def curve(x1, y1, x2, y2):
    """A smooth S-shaped link from (x1, y1) to (x2, y2), leaving and arriving horizontally."""
    middle = rounded((x1 + x2) / 2)
    x1, y1, x2, y2 = rounded(x1), rounded(y1), rounded(x2), rounded(y2)
    return f"M{x1} {y1}C{middle} {y1} {middle} {y2} {x2} {y2}"


def sort_key(node):
    """Alphabetical by the name shown, then by key, so equal names still have one order."""
    return (node.name.casefold(), node.key)
