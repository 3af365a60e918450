"""Print what the committed fixtures cover: footnoted sentences per record type and
language, Chinese text per field, records and sources by kind, publication dates.

Usage, from the checkout root (no database needed; it reads fixtures/*.json):

    .venv/bin/python -m tests.benchmarks.content_coverage [--list]

`--list` also names every unfootnoted sentence and every record missing a Chinese field.
The same counts are held to the content rules by tests/content/test_coverage.py.
"""

import argparse
from collections import Counter

from tests.content.coverage import OFFICIAL_PUBLISHERS, SEED_ARTICLES, fixture_records, measure


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="name what is missing")
    args = parser.parse_args()

    records = list(fixture_records())
    coverage = measure(records, skip=SEED_ARTICLES)
    print("Footnoted sentences (seed articles' original text left out):")
    for (model, language), total in sorted(coverage.sentences.items()):
        done = coverage.footnoted[model, language]
        print(f"  {model:22} {language:8} {done:5} of {total:5}  {100 * done / total:5.1f}%")
    print("\nChinese per field (a name marked English-only counts as done):")
    for (model, name), total in sorted(coverage.in_english.items()):
        done = coverage.in_chinese[model, name]
        print(f"  {model:22} {name:12} {done:5} of {total:5}")

    print("\nRecords:", dict(sorted(Counter(model for model, _fields in records).items())))
    sources = [fields for model, fields in records if model == "portal.source"]
    kinds = Counter(fields["publisher_type"] for fields in sources)
    official = sum(kinds[kind] for kind in OFFICIAL_PUBLISHERS)
    dated = sum(1 for fields in sources if fields.get("published"))
    print("Sources by publisher type:", dict(kinds.most_common()))
    print(f"Official (government or statutory): {official} of {len(sources)}", end="")
    print(f" ({100 * official / max(len(sources), 1):.0f}%)")
    print(f"With a publication date: {dated} of {len(sources)}; the rest show n.d.")

    if args.list:
        for (model, language), rows in sorted(coverage.unfootnoted.items()):
            print(f"\nUnfootnoted, {model} [{language}]:")
            for key, sentence in rows:
                print(f"  {key}: {sentence[:120]}")
        for (model, name), keys in sorted(coverage.without_chinese.items()):
            print(f"\nNo Chinese {model}.{name}: {', '.join(keys)}")


if __name__ == "__main__":
    main()
