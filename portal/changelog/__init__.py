"""Change log: field-level changes to the public record types, written when they are saved.

`changes` holds which types are logged (those whose PublicRecord declares CHANGE_LOG), the
diffs of their public fields, how admin revisions and imports record them, and how a stored
row is shown. `portal.views.changes` and `portal.views.feeds` serve them.
"""
