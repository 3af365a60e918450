import pytest

from portal.content.normalise import normalise_text


@pytest.mark.parametrize(
    "damaged, repaired",
    [
        # The second seed article: a no-break space's UTF-8 bytes read as Windows-1257.
        ("Hong\u0100\u00a0Kong", "Hong Kong"),
        # The classic: UTF-8 read as Windows-1252.
        ("caf\u00c3\u00a9", "café"),
        ("Hong Kong\u00e2\u20ac\u2122s", "Hong Kong\u2019s"),
        # Decomposed accents become composed (NFC).
        ("Cafe\u0301", "Café"),
        # No-break and narrow spaces become plain spaces.
        ("Hong\u00a0Kong\u202fAI", "Hong Kong AI"),
        # Control characters go; line breaks and tabs stay.
        ("a\x00b\x1bc\td\ne\x7f", "abc\td\ne"),
        # A C1 control in text is almost always a Windows-1252 character that lost its way.
        ("Wait\x85 what", "Wait\u2026 what"),
    ],
)
def test_damage_is_repaired(damaged, repaired):
    assert normalise_text(damaged) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "Hong Kong\u2019s \u201cSmart City\u201d plan \u2013 2017",  # curly quotes, dashes: kept
        "數碼港 / 應科院 / 香港金融管理局",
        "Łódź, São Paulo, Zürich, naïve",
        "AT&amp;T <b>bold</b> in Markdown source",  # entities are the author's, not damage
        "ﬁnance",  # ligatures are left alone
        "Ā then a normal space",
    ],
)
def test_good_text_is_left_alone(text):
    assert normalise_text(text) == text


def test_normalising_twice_changes_nothing():
    once = normalise_text("Hong\u0100\u00a0Kong caf\u00c3\u00a9")
    assert normalise_text(once) == once
