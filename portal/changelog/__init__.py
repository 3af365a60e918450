"""Change log: field-level changes to the public record types, written when they are saved.

- `registry`: which types are logged (those whose PublicRecord declares CHANGE_LOG) and which
  of their fields are public;
- `diffs`: the change lines between two states of a record, related items named;
- `recording`: the rows written from admin revisions and from imports;
- `display`: the rows readers may see, and their lines as templates show them.

`portal.views.changes` and `portal.views.feeds` serve them.
"""
