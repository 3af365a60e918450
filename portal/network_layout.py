"""Who-works-with-whom diagrams laid out on the server: pure functions from nodes and links to
SVG geometry, like `portal.charts`. No Django and no I/O here; templates draw the shapes
(``portal/includes/_network.html``), so a diagram works without JavaScript and its geometry
can be tested directly.

Two layouts, both deterministic (the same nodes give the same drawing, whatever order they
come in) and both free of overlapping labels, because every label sits inside its own box and
boxes are stacked, never placed on top of one another:

- `ego_layout`: one record in the middle and its neighbours in titled groups on either side,
  each joined to the middle by a line whose style says what the link is.
- `map_layout`: organisations in a column on the left (parts indented under the body they
  belong to), initiatives in a column on the right, and the lead and partner links between
  them; the order of each column is chosen to cross fewer links.

Node kinds are told apart by shape as well as colour (square corners for an organisation,
round ends for an initiative, cut corners for a sector), and relations by line style (solid
for a lead, dashed for a partner, dotted for part of, thin for a sector).
"""

import unicodedata
from dataclasses import dataclass, replace

ORGANISATION, INITIATIVE, SECTOR = "organisation", "initiative", "sector"
LEADS, PARTNER, PART_OF, IN_SECTOR = "leads", "partner", "part_of", "in_sector"

# Drawing units of the SVG viewBox. Pages show a diagram at its natural width (one unit, one
# CSS pixel) where there is room, so FONT_SIZE is the text's size in pixels (network.css).
FONT_SIZE = 15
LINE_HEIGHT = 19
BOX_PADDING_X, BOX_PADDING_Y = 10, 6
MAX_LINES = 3  # a longer name ends in "…"; the link's tooltip and the table give it whole
MARGIN = 6  # room for the focus ring around the outermost boxes
BOX_GAP = 6
HEADING_HEIGHT = 26
GROUP_GAP = 14

EGO_WIDTH = 720
EGO_SIDE_WIDTH = 210
EGO_CENTRE_WIDTH = 170
# The narrow form of the same diagram (ego_column_layout), for phones: at 390 px wide a
# screen has 358 px for it, so it is drawn at about its natural size.
COLUMN_WIDTH = 360
TRUNK_GAP = 8  # between the lines that join each group to the record at the top
# The most neighbours drawn around one record; the table lists every one.
MAX_NEIGHBOURS = 30

MAP_WIDTH = 900
MAP_BOX_WIDTH = 300
MAP_INDENT = 16  # per level of "part of"
MAP_MAX_DEPTH = 3  # deeper parts are indented no further
MAP_TOP = 36  # room for the column headings
CROSSING_PASSES = 4  # rounds of reordering; more changes little on maps of this size

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
        centre = _round(self.x + self.width / 2)
        # A baseline sits about 0.35 em below the middle of its line box.
        return [
            (line, centre, _round(top + (i + 0.5) * LINE_HEIGHT + 0.35 * FONT_SIZE))
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


def _round(value):
    return round(value, 1)


def _outline(kind, x, y, width, height, grow=0):
    x, y, width, height = _round(x), _round(y), _round(width), _round(height)
    right, bottom = _round(x + width), _round(y + height)
    if kind == INITIATIVE:
        r = min(12 + grow, height / 2)
        return (
            f"M{_round(x + r)} {y}H{_round(right - r)}A{r} {r} 0 0 1 {right} {_round(y + r)}"
            f"V{_round(bottom - r)}A{r} {r} 0 0 1 {_round(right - r)} {bottom}"
            f"H{_round(x + r)}A{r} {r} 0 0 1 {x} {_round(bottom - r)}"
            f"V{_round(y + r)}A{r} {r} 0 0 1 {_round(x + r)} {y}Z"
        )
    if kind == SECTOR:
        c = min(8 + grow / 2, height / 2)
        return (
            f"M{_round(x + c)} {y}H{_round(right - c)}L{right} {_round(y + c)}"
            f"V{_round(bottom - c)}L{_round(right - c)} {bottom}H{_round(x + c)}"
            f"L{x} {_round(bottom - c)}V{_round(y + c)}Z"
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


def _box(node, x, y, width, centre=False):
    lines = wrap(node.name, width - 2 * BOX_PADDING_X) or (ELLIPSIS,)
    height = len(lines) * LINE_HEIGHT + 2 * BOX_PADDING_Y
    return Box(node, _round(x), _round(y), width, height, lines, centre)


def _curve(x1, y1, x2, y2):
    """A smooth S-shaped link from (x1, y1) to (x2, y2), leaving and arriving horizontally."""
    middle = _round((x1 + x2) / 2)
    x1, y1, x2, y2 = _round(x1), _round(y1), _round(x2), _round(y2)
    return f"M{x1} {y1}C{middle} {y1} {middle} {y2} {x2} {y2}"


def sort_key(node):
    """Alphabetical by the name shown, then by key, so equal names still have one order."""
    return (node.name.casefold(), node.key)


def share_out(sizes, total):
    """How many of each group to draw so that no more than `total` are drawn in all: one
    from each group in turn, until each is drawn whole or `total` is reached."""
    shown = [0] * len(sizes)
    left = total
    while left > 0 and any(n < size for n, size in zip(shown, sizes, strict=True)):
        for i, size in enumerate(sizes):
            if left and shown[i] < size:
                shown[i] += 1
                left -= 1
    return shown


def _drawn_groups(groups, max_neighbours):
    """[(group, nodes drawn, how many left out)] for the non-empty `groups`, in the order
    given, nodes by name, at most `max_neighbours` drawn in all (shared out between groups)."""
    groups = [group for group in groups if group.nodes]
    counts = share_out([len(group.nodes) for group in groups], max_neighbours)
    return [
        (group, sorted(group.nodes, key=sort_key)[:shown], len(group.nodes) - shown)
        for group, shown in zip(groups, counts, strict=True)
    ]


def _more_label(more, more_text, x, y):
    return Label(more_text(more) if more_text else f"+{more}", x, _round(y), heading=False)


def ego_layout(centre, groups, more_text=None, max_neighbours=MAX_NEIGHBOURS):
    """Lay out `centre` (a Node) in the middle and `groups` (Groups, in the order given; empty
    ones are left out) around it, each group on whichever side is shorter so far.

    At most `max_neighbours` neighbours are drawn, shared out between the groups; a group
    cut short ends with `more_text(n)` ("and n more"), and `Diagram.hidden` says how many
    were left out in all.
    """
    drawn = _drawn_groups(groups, max_neighbours)
    sides = {"left": [], "right": []}
    heights = {"left": 0, "right": 0}
    for group, nodes, more in drawn:
        side = "left" if heights["left"] <= heights["right"] else "right"
        x = MARGIN if side == "left" else EGO_WIDTH - MARGIN - EGO_SIDE_WIDTH
        boxes = [_box(node, x, 0, EGO_SIDE_WIDTH) for node in nodes]
        height = HEADING_HEIGHT + sum(box.height + BOX_GAP for box in boxes) - BOX_GAP
        height += HEADING_HEIGHT if more else 0
        sides[side].append((group, boxes, more))
        heights[side] += height + (GROUP_GAP if heights[side] else 0)

    centre_x = (EGO_WIDTH - EGO_CENTRE_WIDTH) / 2
    middle = _box(centre, centre_x, 0, EGO_CENTRE_WIDTH, centre=True)
    inner = max(heights["left"], heights["right"], middle.height)
    height = inner + 2 * MARGIN
    middle = replace(middle, y=_round((height - middle.height) / 2))

    items, edges = [middle], []
    for side, stacked in sides.items():
        y = MARGIN + (inner - heights[side]) / 2
        for group, boxes, more in stacked:
            x = boxes[0].x
            items.append(Label(group.heading, x, _round(y + HEADING_HEIGHT - 8)))
            y += HEADING_HEIGHT
            for box in boxes:
                box = replace(box, y=_round(y))
                items.append(box)
                start = middle.x if side == "left" else middle.right
                end = box.right if side == "left" else box.x
                edges.append(
                    Edge(group.relation, _curve(start, middle.middle_y, end, box.middle_y))
                )
                y += box.height + BOX_GAP
            y -= BOX_GAP
            if more:
                items.append(_more_label(more, more_text, x, y + HEADING_HEIGHT - 6))
                y += HEADING_HEIGHT
            y += GROUP_GAP
    hidden = sum(more for _group, _nodes, more in drawn)
    return Diagram(EGO_WIDTH, _round(height), tuple(items), tuple(edges), hidden)


def ego_column_layout(centre, groups, more_text=None, max_neighbours=MAX_NEIGHBOURS):
    """The same diagram as `ego_layout` for a narrow screen: `centre` across the top and the
    groups below it in one column. Each group hangs from the centre by a line of its own
    down the left side; the first group's line is nearest the boxes, so no line crosses
    another."""
    drawn = _drawn_groups(groups, max_neighbours)
    middle = _box(centre, MARGIN, MARGIN, COLUMN_WIDTH - 2 * MARGIN, centre=True)
    box_x = MARGIN + TRUNK_GAP * len(drawn) + 8
    box_width = COLUMN_WIDTH - MARGIN - box_x
    items, edges = [middle], []
    top = middle.y + middle.height
    y = top + GROUP_GAP
    for i, (group, nodes, more) in enumerate(drawn):
        trunk = MARGIN + 4 + TRUNK_GAP * (len(drawn) - 1 - i)
        items.append(Label(group.heading, box_x, _round(y + HEADING_HEIGHT - 8)))
        y += HEADING_HEIGHT
        path = []
        for node in nodes:
            box = _box(node, box_x, y, box_width)
            items.append(box)
            path.append(f"M{trunk} {_round(top)}V{box.middle_y}H{box.x}")
            y += box.height + BOX_GAP
        y -= BOX_GAP
        edges.append(Edge(group.relation, "".join(path)))
        if more:
            items.append(_more_label(more, more_text, box_x, y + HEADING_HEIGHT - 6))
            y += HEADING_HEIGHT
        y += GROUP_GAP
    hidden = sum(more for _group, _nodes, more in drawn)
    height = y - GROUP_GAP + MARGIN
    return Diagram(COLUMN_WIDTH, _round(height), tuple(items), tuple(edges), hidden)


def _forest(organisations, parent_of):
    """Organisations in tree order, [(node, depth)]: each body followed by its parts (by
    name, depth first). `parent_of` maps a key to its parent's key, among `organisations`
    only. A loop of parents (which editing refuses, but a database may hold) is cut where
    it is first met."""
    by_key = {node.key: node for node in organisations}
    children = {}
    for node in sorted(organisations, key=sort_key):
        parent = parent_of.get(node.key)
        if parent in by_key:
            children.setdefault(parent, []).append(node)
    roots = [node for node in organisations if parent_of.get(node.key) not in by_key]
    order, seen = [], set()

    def visit(node, depth):
        seen.add(node.key)
        order.append((node, depth))
        for child in children.get(node.key, ()):
            if child.key not in seen:
                visit(child, depth + 1)

    trees = []
    for root in sorted(roots, key=sort_key) + sorted(organisations, key=sort_key):
        if root.key not in seen:
            start = len(order)
            visit(root, 0)
            trees.append(order[start:])
    return trees


def _stack(boxes, top):
    """`boxes` (Box) moved to follow one another down from `top`; returns (boxes, bottom)."""
    placed, y = [], top
    for box in boxes:
        placed.append(replace(box, y=_round(y)))
        y += box.height + BOX_GAP
    return placed, y - BOX_GAP


def _barycentre(positions, neighbours):
    """The mean position of `neighbours` that have one, or None when none do."""
    # `neighbours` comes sorted: summed in another order, floats could differ in the last
    # digit and break a tie differently from one process to the next.
    found = [positions[key] for key in neighbours if key in positions]
    return sum(found) / len(found) if found else None


def _by_barycentre(items, positions, neighbours_of):
    """`items` ordered by the mean position of their neighbours; items with none keep their
    relative order after the rest. Stable, so ties keep the previous order."""
    scores = [_barycentre(positions, neighbours_of(item)) for item in items]
    order = sorted(range(len(items)), key=lambda i: (scores[i] is None, scores[i] or 0, i))
    return [items[i] for i in order]


def map_layout(organisations, initiatives, links, headings=("", "")):
    """Lay out the whole map: `organisations` and `initiatives` (Nodes) in two columns, and
    `links` (Links: LEADS, PARTNER between them, PART_OF between organisations).

    Parts are indented under the body they belong to and joined to it by a dotted elbow; a
    body and its parts move as one. Both columns start in alphabetical order, then are
    reordered a few times, each by the mean height of what its items link to in the other
    column (the barycentre heuristic), which uncrosses most links. `headings` are written
    over the two columns.
    """
    parent_of = {link.source.key: link.target.key for link in links if link.relation == PART_OF}
    trees = _forest(organisations, parent_of)
    initiatives = sorted(initiatives, key=sort_key)
    across = [link for link in links if link.relation in (LEADS, PARTNER)]
    linked = {}
    for link in across:
        linked.setdefault(link.source.key, set()).add(link.target.key)
        linked.setdefault(link.target.key, set()).add(link.source.key)

    org_boxes = {
        node.key: _box(node, MARGIN + MAP_INDENT * min(depth, MAP_MAX_DEPTH), 0, MAP_BOX_WIDTH)
        for tree in trees
        for node, depth in tree
    }
    right_x = MAP_WIDTH - MARGIN - MAP_BOX_WIDTH
    initiative_boxes = {node.key: _box(node, right_x, 0, MAP_BOX_WIDTH) for node in initiatives}

    def middles(boxes):
        placed, _bottom = _stack(boxes, MAP_TOP)
        return {box.node.key: box.middle_y for box in placed}

    def tree_boxes(trees):
        return [org_boxes[node.key] for tree in trees for node, _depth in tree]

    for _pass in range(CROSSING_PASSES):
        left = middles(tree_boxes(trees))
        initiatives = _by_barycentre(
            initiatives, left, lambda node: sorted(linked.get(node.key, ()))
        )
        right = middles([initiative_boxes[node.key] for node in initiatives])
        trees = _by_barycentre(
            trees,
            right,
            lambda tree: sorted(key for node, _depth in tree for key in linked.get(node.key, ())),
        )

    left_boxes, left_bottom = _stack(tree_boxes(trees), MAP_TOP)
    right_boxes, right_bottom = _stack(
        [initiative_boxes[node.key] for node in initiatives], MAP_TOP
    )
    placed = {box.node.key: box for box in (*left_boxes, *right_boxes)}

    edges = []
    for link in sorted(links, key=lambda link: (link.relation, link.source.key, link.target.key)):
        source, target = placed.get(link.source.key), placed.get(link.target.key)
        if source is None or target is None:
            continue
        if link.relation == PART_OF:
            # Down from the body's box, then across into its part's.
            x = _round(target.x + MAP_INDENT / 2)
            path = f"M{x} {_round(target.y + target.height)}V{source.middle_y}H{source.x}"
            edges.append(Edge(PART_OF, path))
        else:
            edges.append(
                Edge(
                    link.relation, _curve(source.right, source.middle_y, target.x, target.middle_y)
                )
            )
    items = (
        Label(headings[0], MARGIN, MAP_TOP - 12),
        *left_boxes,
        Label(headings[1], right_x, MAP_TOP - 12),
        *right_boxes,
    )
    height = max(left_bottom, right_bottom, MAP_TOP) + MARGIN
    return Diagram(MAP_WIDTH, _round(height), items, tuple(edges))
