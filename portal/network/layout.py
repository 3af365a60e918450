"""Who-works-with-whom diagrams laid out on the server: pure functions from records and links
(`portal.network.shapes`) to SVG geometry, like `portal.views.charts`. No Django and no I/O here;
templates draw the shapes (``portal/includes/_network_svg.html``), so a diagram works
without JavaScript and its geometry can be tested directly.

Three layouts, all deterministic (the same records give the same drawing, whatever order
they come in) and all free of overlapping labels, because every label sits inside its own
box and boxes are stacked, never placed on top of one another:

- `ego_layout`: one record in the middle and its neighbours in titled groups on either side,
  each joined to the middle by a line whose style says what the link is;
  `ego_column_layout`: the same for a phone, the record on top and the groups below it.
- `map_layout`: organisations in a column on the left (parts indented under the body they
  belong to), initiatives in a column on the right, and the lead and partner links between
  them; the order of each column is chosen to cross fewer links.
"""

from dataclasses import replace

from portal.network.shapes import (
    LEADS,
    PART_OF,
    PARTNER,
    Diagram,
    Edge,
    Label,
    curve,
    make_box,
    rounded,
    sort_key,
)

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
    return Label(more_text(more) if more_text else f"+{more}", x, rounded(y), heading=False)


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
        boxes = [make_box(node, x, 0, EGO_SIDE_WIDTH) for node in nodes]
        height = HEADING_HEIGHT + sum(box.height + BOX_GAP for box in boxes) - BOX_GAP
        height += HEADING_HEIGHT if more else 0
        sides[side].append((group, boxes, more))
        heights[side] += height + (GROUP_GAP if heights[side] else 0)

    centre_x = (EGO_WIDTH - EGO_CENTRE_WIDTH) / 2
    middle = make_box(centre, centre_x, 0, EGO_CENTRE_WIDTH, centre=True)
    inner = max(heights["left"], heights["right"], middle.height)
    height = inner + 2 * MARGIN
    middle = replace(middle, y=rounded((height - middle.height) / 2))

    items, edges = [middle], []
    for side, stacked in sides.items():
        y = MARGIN + (inner - heights[side]) / 2
        for group, boxes, more in stacked:
            x = boxes[0].x
            items.append(Label(group.heading, x, rounded(y + HEADING_HEIGHT - 8)))
            y += HEADING_HEIGHT
            for box in boxes:
                box = replace(box, y=rounded(y))
                items.append(box)
                start = middle.x if side == "left" else middle.right
                end = box.right if side == "left" else box.x
                edges.append(Edge(group.relation, curve(start, middle.middle_y, end, box.middle_y)))
                y += box.height + BOX_GAP
            y -= BOX_GAP
            if more:
                items.append(_more_label(more, more_text, x, y + HEADING_HEIGHT - 6))
                y += HEADING_HEIGHT
            y += GROUP_GAP
    hidden = sum(more for _group, _nodes, more in drawn)
    return Diagram(EGO_WIDTH, rounded(height), tuple(items), tuple(edges), hidden)


def ego_column_layout(centre, groups, more_text=None, max_neighbours=MAX_NEIGHBOURS):
    """The same diagram as `ego_layout` for a narrow screen: `centre` across the top and the
    groups below it in one column. Each group hangs from the centre by a line of its own
    down the left side; the first group's line is nearest the boxes, so no line crosses
    another."""
    drawn = _drawn_groups(groups, max_neighbours)
    middle = make_box(centre, MARGIN, MARGIN, COLUMN_WIDTH - 2 * MARGIN, centre=True)
    box_x = MARGIN + TRUNK_GAP * len(drawn) + 8
    box_width = COLUMN_WIDTH - MARGIN - box_x
    items, edges = [middle], []
    top = middle.y + middle.height
    y = top + GROUP_GAP
    for i, (group, nodes, more) in enumerate(drawn):
        trunk = MARGIN + 4 + TRUNK_GAP * (len(drawn) - 1 - i)
        items.append(Label(group.heading, box_x, rounded(y + HEADING_HEIGHT - 8)))
        y += HEADING_HEIGHT
        path = []
        for node in nodes:
            box = make_box(node, box_x, y, box_width)
            items.append(box)
            path.append(f"M{trunk} {rounded(top)}V{box.middle_y}H{box.x}")
            y += box.height + BOX_GAP
        y -= BOX_GAP
        edges.append(Edge(group.relation, "".join(path)))
        if more:
            items.append(_more_label(more, more_text, box_x, y + HEADING_HEIGHT - 6))
            y += HEADING_HEIGHT
        y += GROUP_GAP
    hidden = sum(more for _group, _nodes, more in drawn)
    height = y - GROUP_GAP + MARGIN
    return Diagram(COLUMN_WIDTH, rounded(height), tuple(items), tuple(edges), hidden)


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
        placed.append(replace(box, y=rounded(y)))
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
        node.key: make_box(node, MARGIN + MAP_INDENT * min(depth, MAP_MAX_DEPTH), 0, MAP_BOX_WIDTH)
        for tree in trees
        for node, depth in tree
    }
    right_x = MAP_WIDTH - MARGIN - MAP_BOX_WIDTH
    initiative_boxes = {node.key: make_box(node, right_x, 0, MAP_BOX_WIDTH) for node in initiatives}

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
            x = rounded(target.x + MAP_INDENT / 2)
            path = f"M{x} {rounded(target.y + target.height)}V{source.middle_y}H{source.x}"
            edges.append(Edge(PART_OF, path))
        else:
            edges.append(
                Edge(link.relation, curve(source.right, source.middle_y, target.x, target.middle_y))
            )
    items = (
        Label(headings[0], MARGIN, MAP_TOP - 12),
        *left_boxes,
        Label(headings[1], right_x, MAP_TOP - 12),
        *right_boxes,
    )
    height = max(left_bottom, right_bottom, MAP_TOP) + MARGIN
    return Diagram(MAP_WIDTH, rounded(height), items, tuple(edges))
