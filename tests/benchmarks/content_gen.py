"""Synthetic HKAI Portal content for the benchmarks: repeatable (seeded) fixture files.

Used by import_bench.py, page_bench.py and load_bench.py, which import it as a sibling module:

    import content_gen

    files, links = content_gen.generate_fixtures(workdir, 2000, seed=2024, initiatives=1500)

The files are Django JSON fixtures with natural keys and no primary keys, loaded in this order:
10_sources.json, 20_sectors.json, 30_organisations.json, 40_initiatives.json and
50_articles.json. Records are written one at a time, so memory stays flat however many
articles are asked for.

The content has a long tail, as real news does: articles mention initiatives and
organisations with Zipf-like weights (the k-th most popular with weight 1/k**1.1), so a few
are mentioned in thousands of articles and most in a handful; about half the titles name a
made-up project ("Cyberport Tavoreki launched ...") drawn from a long-tailed pool of 5,000
names, so some words are in thousands of titles and others in one.
"""

import contextlib
import datetime
import itertools
import json
import random

# Default amounts (import_bench.py's); page_bench.py asks for more organisations and initiatives.
SECTOR_COUNT = 12
ORGANISATION_COUNT = 300
INITIATIVE_COUNT = 1000
ZIPF_EXPONENT = 1.1
PROJECT_NAME_COUNT = 5000
# Articles that generate_fixtures(later_articles=...) writes apart from the rest.
LATER_ARTICLES_FILE = "60_later_articles.json"
# The article relations, as named in fixtures.
ARTICLE_RELATIONS = ("sectors", "initiatives", "organisations", "sources")
HK_TZ = datetime.timezone(datetime.timedelta(hours=8))

# Choice values, copied from portal/models.py so the generator needs no Django setup.
ORGANISATION_KINDS = [
    "government_body",
    "statutory_body",
    "university",
    "research_centre",
    "company",
    "industry_body",
]
INITIATIVE_KINDS = [
    "strategy",
    "funding",
    "research",
    "infrastructure",
    "regulation",
    "sandbox",
    "talent",
]
INITIATIVE_STATUSES = ["planned", "active", "completed"]

SECTOR_NAMES = [
    "Finance",
    "Healthcare",
    "Education",
    "Transport and logistics",
    "Government services",
    "Legal services",
    "Retail and e-commerce",
    "Property and construction",
    "Telecommunications",
    "Manufacturing",
    "Creative industries",
    "Research",
]
PLACES = [
    "Hong Kong",
    "Kowloon",
    "Victoria Harbour",
    "Pearl River",
    "Lion Rock",
    "Cyberport",
    "Science Park",
    "Tsuen Wan",
    "Sha Tin",
    "Tseung Kwan O",
    "Lantau",
    "Wan Chai",
    "Central",
    "Kwun Tong",
    "Sai Kung",
    "Northern Metropolis",
]
FIELDS = [
    "Artificial Intelligence",
    "Machine Learning",
    "Data Science",
    "Robotics",
    "Fintech",
    "Smart City",
    "Computer Vision",
    "Language Technology",
    "Digital Health",
    "Automation",
    "Cloud Computing",
    "Cybersecurity",
    "Analytics",
    "Generative AI",
    "Autonomous Systems",
]
ORGANISATION_SUFFIXES = [
    "Institute",
    "Centre",
    "Laboratory",
    "Association",
    "Council",
    "Limited",
    "Foundation",
    "Alliance",
]
INITIATIVE_PREFIXES = [
    "Programme for",
    "Scheme for",
    "Fund for",
    "Sandbox for",
    "Blueprint for",
    "Cluster for",
    "Guidelines on",
    "Platform for",
    "Academy of",
    "Initiative on",
    "Taskforce on",
]
INITIATIVE_AUDIENCES = [
    "Start-ups",
    "SMEs",
    "Universities",
    "Hospitals",
    "Banks",
    "Schools",
    "the Public Sector",
    "Young Talent",
    "Researchers",
    "Manufacturers",
]
BYLINES = [
    "Mei Ling Chan",
    "Ka Wai Wong",
    "Priya Raman",
    "Tom Leung",
    "Hoi Yan Lam",
    "David Cheung",
    "Sophie Ng",
    "Arjun Mehta",
    "Wing Sze Lau",
    "HKAI Portal staff",
]
PUBLISHERS = [
    "Hong Kong Monetary Authority",
    "Innovation, Technology and Industry Bureau",
    "Office of the Government Chief Information Officer",
    "Hong Kong Science Park",
    "Cyberport",
    "Legislative Council",
    "South China Morning Post",
    "RTHK",
    "The University of Hong Kong",
    "HKUST",
    "Hospital Authority",
    "ASTRI",
]
PUBLISHER_TYPES = [
    "government",
    "statutory",
    "university",
    "research",
    "company",
    "news",
    "law_consulting",
    "encyclopaedia",
    "other",
]
WORDS = (
    "model data policy government research university funding pilot scheme bank hospital "
    "school student teacher patient clinician regulator guideline sandbox computing cluster "
    "supercomputer talent programme laboratory partnership startup company investment market "
    "risk privacy security ethics transparency accountability evaluation benchmark dataset "
    "language translation Cantonese English Putonghua chatbot assistant service citizen "
    "district transport traffic logistics port airport railway property construction energy "
    "climate forecast finance insurance payment fraud detection compliance audit procurement "
    "infrastructure cloud platform network sensor camera robot automation manufacturing "
    "retail customer experience design creative media film music education curriculum "
    "training workshop conference strategy blueprint budget council committee consultation "
    "report survey announcement launch expansion collaboration mainland cross-boundary "
    "innovation technology industry public sector quickly carefully widely openly early "
    "new large small local regional international leading responsible practical useful "
    "secure fair reliable efficient ambitious cautious measured significant"
).split()
VERBS = (
    "announced expanded launched reviewed funded tested deployed evaluated published opened "
    "proposed adopted extended trialled approved supports improves reduces measures explains"
).split()


# Text the portal stores per language is written as its English column (e.g. name -> name_en).
TRANSLATED_AS = {
    name: f"{name}_en" for name in ("name", "short_name", "summary", "description", "title", "body")
}


@contextlib.contextmanager
def fixture_writer(path):
    """Yield a function write(model, fields) that appends one record to a JSON list in `path`.

    Records go straight to the file, so memory does not grow with the number of records.
    """
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[\n")
        first = True

        def write(model, fields):
            nonlocal first
            if not first:
                handle.write(",\n")
            first = False
            if model != "portal.source":  # a source's title is not translated
                fields = {TRANSLATED_AS.get(name, name): value for name, value in fields.items()}
            handle.write(json.dumps({"model": model, "fields": fields}, ensure_ascii=False))

        yield write
        handle.write("\n]\n")


def unique_names(rng, parts, count):
    """Return `count` distinct names made by joining one item from each list in `parts`."""
    combinations = list(itertools.product(*parts))
    if count > len(combinations):
        raise ValueError(f"only {len(combinations)} distinct names for {count} records")
    return [" ".join(combo) for combo in rng.sample(combinations, count)]


def acronym(name, limit=40):
    """Return the capital initials of `name`, at most `limit` characters (a short name)."""
    return "".join(word[0] for word in name.split() if word[0].isupper())[:limit]


def pick(rng, count, low, high):
    """Return a sorted list of between `low` and `high` distinct numbers from 1..count."""
    k = min(rng.randint(low, high), count)
    return sorted(rng.sample(range(1, count + 1), k))


def sentence_case(text):
    """Return `text` with its first letter in upper case and the rest untouched."""
    return text[:1].upper() + text[1:]


def sentence_pool(rng, size=4000):
    """Return `size` plain-English-ish sentences of 8 to 24 words to build text from."""
    sentences = []
    for _ in range(size):
        words = rng.choices(WORDS, k=rng.randint(8, 24))
        words.insert(rng.randint(1, len(words) - 1), rng.choice(VERBS))
        if rng.random() < 0.15:
            spot = rng.randrange(len(words))
            words[spot] = f"**{words[spot]}**"
        sentences.append(sentence_case(" ".join(words)) + ".")
    return sentences


def text_of_length(rng, sentences, minimum):
    """Return sentences joined until the text is at least `minimum` characters long."""
    parts, length = [], 0
    while length < minimum:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


def markdown_body(rng, sentences):
    """Return a Markdown article body of 2 to 6 KB: paragraphs, a heading or two and a list."""
    # Blocks overshoot the target by up to ~800 characters; bodies end up between 2 and 6 KB.
    target = rng.randint(1900, 5200)
    blocks, length, headings = [], 0, 0
    while length < target:
        roll = rng.random()
        if blocks and roll < 0.12 and headings < 2:
            block = "## " + sentence_case(" ".join(rng.choices(WORDS, k=rng.randint(2, 5))))
            headings += 1
        elif blocks and roll < 0.25:
            items = rng.randint(3, 5)
            block = "\n".join("- " + rng.choice(sentences) for _ in range(items))
        else:
            block = text_of_length(rng, sentences, rng.randint(300, 700))
            if rng.random() < 0.2:
                news = rng.randint(1, 9999)
                block += f" See [the announcement](https://example.org/news/{news})."
        blocks.append(block)
        length += len(block) + 2
    if not headings:
        blocks.insert(1, "## Background")
    return "\n\n".join(blocks)


def title_words(rng, minimum=55, maximum=70, project=None):
    """Return a title of about 60 characters, naming `project` if given."""
    words = [rng.choice(PLACES), *([project] if project else []), rng.choice(VERBS)]
    while len(" ".join(words)) < minimum:
        words.append(rng.choice(WORDS))
    return sentence_case(" ".join(words)[:maximum].rstrip())


def write_sources(path, rng, count):
    """Write `count` sources, natural key https://example.org/source/<n>."""
    start = datetime.date(2018, 1, 1)
    with fixture_writer(path) as write:
        for n in range(1, count + 1):
            accessed = start + datetime.timedelta(days=rng.randrange(2900))
            write(
                "portal.source",
                {
                    "url": f"https://example.org/source/{n}",
                    "title": title_words(rng, 30, 120),
                    "publisher": rng.choice(PUBLISHERS),
                    "publisher_type": rng.choice(PUBLISHER_TYPES),
                    "accessed": accessed.isoformat(),
                },
            )


def write_sectors(path, rng, sentences, count):
    """Write `count` sectors, natural key sector-<n>."""
    with fixture_writer(path) as write:
        for n, name in enumerate(SECTOR_NAMES[:count], start=1):
            write(
                "portal.sector",
                {
                    "name": name,
                    "slug": f"sector-{n}",
                    "summary": text_of_length(rng, sentences, 80)[:300],
                    "description": text_of_length(rng, sentences, 600),
                    "sort_weight": n * 10,
                },
            )


def write_organisations(path, rng, sentences, shape):
    """Write shape.organisations organisations, natural key org-<n>."""
    names = unique_names(rng, [PLACES, FIELDS, ORGANISATION_SUFFIXES], shape.organisations)
    with fixture_writer(path) as write:
        for n, name in enumerate(names, start=1):
            write(
                "portal.organisation",
                {
                    "name": name,
                    "slug": f"org-{n}",
                    "short_name": acronym(name),
                    "kind": rng.choice(ORGANISATION_KINDS),
                    "founded_year": rng.randint(1950, 2024) if rng.random() < 0.8 else None,
                    "website": f"https://org-{n}.example.hk/",
                    "description": text_of_length(rng, sentences, rng.randint(200, 1200)),
                    "sectors": [[f"sector-{s}"] for s in pick(rng, shape.sectors, 1, 3)],
                    "sources": [
                        [f"https://example.org/source/{s}"] for s in pick(rng, shape.sources, 0, 2)
                    ],
                },
            )


def initiative_years(rng):
    """Return (start_year, end_year) within 1990-2030, each possibly None, end >= start."""
    start = rng.randint(1990, 2030) if rng.random() < 0.85 else None
    if rng.random() < 0.5:
        return start, None
    return start, rng.randint(start or 1990, 2030)


def write_initiatives(path, rng, sentences, shape):
    """Write shape.initiatives initiatives, natural key initiative-<n>."""
    names = unique_names(
        rng,
        [INITIATIVE_PREFIXES, FIELDS, ["in", "across"], INITIATIVE_AUDIENCES],
        shape.initiatives,
    )
    with fixture_writer(path) as write:
        for n, name in enumerate(names, start=1):
            lead = rng.randint(1, shape.organisations) if rng.random() < 0.9 else None
            partners = [p for p in pick(rng, shape.organisations, 0, 4) if p != lead]
            start_year, end_year = initiative_years(rng)
            write(
                "portal.initiative",
                {
                    "name": name,
                    "slug": f"initiative-{n}",
                    "short_name": acronym(name),
                    "kind": rng.choice(INITIATIVE_KINDS),
                    "lead_organisation": [f"org-{lead}"] if lead else None,
                    "partners": [[f"org-{p}"] for p in partners],
                    "sectors": [[f"sector-{s}"] for s in pick(rng, shape.sectors, 1, 3)],
                    "start_year": start_year,
                    "end_year": end_year,
                    "status": rng.choice(INITIATIVE_STATUSES),
                    "website": f"https://initiative-{n}.example.hk/" if rng.random() < 0.7 else "",
                    "summary": text_of_length(rng, sentences, 120)[:300],
                    "description": text_of_length(rng, sentences, rng.randint(300, 1500)),
                    "sources": [
                        [f"https://example.org/source/{s}"] for s in pick(rng, shape.sources, 1, 3)
                    ],
                },
            )


class LongTail:
    """Draws items with Zipf-like weights: the k-th most popular has weight 1 / k**exponent.

    Which item is most popular is shuffled (seeded), so popularity does not follow the
    items' numbers or names.
    """

    def __init__(self, rng, items, exponent=ZIPF_EXPONENT):
        self.items = rng.sample(list(items), len(items))
        self.cum_weights = list(
            itertools.accumulate(1 / rank**exponent for rank in range(1, len(items) + 1))
        )

    def one(self, rng):
        """Return one item."""
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]

    def some(self, rng, low, high):
        """Return a sorted list of between `low` and `high` distinct items (repeats dropped)."""
        k = rng.randint(low, high)
        return sorted(set(rng.choices(self.items, cum_weights=self.cum_weights, k=k)))


def project_names(rng, count=PROJECT_NAME_COUNT):
    """Return `count` distinct made-up project names of three syllables, e.g. "Tavoreki"."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    combinations = rng.sample(list(itertools.product(syllables, repeat=3)), count)
    return ["".join(parts).capitalize() for parts in combinations]


def write_articles(path, rng, sentences, count, shape, first=1):
    """Write `count` articles numbered from `first` to `path`.

    Returns the number of rows each article relation gets, e.g. {"sectors": 2950, ...}.
    """
    links = dict.fromkeys(ARTICLE_RELATIONS, 0)
    first_day = datetime.datetime(2015, 1, 1, tzinfo=HK_TZ)
    with fixture_writer(path) as write:
        for n in range(first, first + count):
            name = shape.project_names.one(rng) if rng.random() < 0.5 else None
            title = title_words(rng, project=name)
            relations = {
                "sectors": [[f"sector-{s}"] for s in pick(rng, shape.sectors, 1, 3)],
                "initiatives": [[f"initiative-{i}"] for i in shape.initiative_tail.some(rng, 0, 3)],
                "organisations": [[f"org-{o}"] for o in shape.organisation_tail.some(rng, 0, 3)],
                "sources": [
                    [f"https://example.org/source/{s}"] for s in pick(rng, shape.sources, 1, 2)
                ],
            }
            for relation, keys in relations.items():
                links[relation] += len(keys)
            publish_at = first_day + datetime.timedelta(minutes=rng.randrange(12 * 365 * 24 * 60))
            fields = {
                "title": title,
                "slug": f"{title.lower().replace(' ', '-')[:100]}-{n}",
                "summary": text_of_length(rng, sentences, rng.randint(100, 170)),
                "body": markdown_body(rng, sentences),
                "byline": rng.choice(BYLINES),
                "status": "published" if rng.random() < 0.9 else "draft",
                "publish_at": publish_at.isoformat(),
                **relations,
            }
            write("portal.article", fields)
    return links


class Shape:
    """How much content to make, and the long-tailed choosers the articles draw from."""

    def __init__(self, rng, *, articles, sectors, organisations, initiatives):
        if not 1 <= sectors <= len(SECTOR_NAMES):
            raise ValueError(f"sectors must be between 1 and {len(SECTOR_NAMES)}")
        self.sectors = sectors
        self.organisations = organisations
        self.initiatives = initiatives
        self.sources = max(20, articles // 10)
        self.organisation_tail = LongTail(rng, range(1, organisations + 1))
        self.initiative_tail = LongTail(rng, range(1, initiatives + 1))
        self.project_names = LongTail(rng, project_names(rng))


def generate_fixtures(
    workdir,
    article_count,
    seed,
    *,
    sectors=SECTOR_COUNT,
    organisations=ORGANISATION_COUNT,
    initiatives=INITIATIVE_COUNT,
    later_articles=0,
):
    """Write the fixture files into `workdir`.

    Returns (fixture paths in load order, rows expected in each article relation for them).
    With `later_articles`, also writes that many more articles to LATER_ARTICLES_FILE, not
    among the returned paths: for importing while the site serves (load_bench.py).
    """
    rng = random.Random(seed)
    sentences = sentence_pool(rng)
    shape = Shape(
        rng,
        articles=article_count + later_articles,
        sectors=sectors,
        organisations=organisations,
        initiatives=initiatives,
    )
    shared = [
        workdir / name
        for name in (
            "10_sources.json",
            "20_sectors.json",
            "30_organisations.json",
            "40_initiatives.json",
        )
    ]
    articles = workdir / "50_articles.json"
    write_sources(shared[0], rng, shape.sources)
    write_sectors(shared[1], rng, sentences, shape.sectors)
    write_organisations(shared[2], rng, sentences, shape)
    write_initiatives(shared[3], rng, sentences, shape)
    links = write_articles(articles, rng, sentences, article_count, shape)
    if later_articles:
        write_articles(
            workdir / LATER_ARTICLES_FILE,
            rng,
            sentences,
            later_articles,
            shape,
            first=article_count + 1,
        )
    return [*shared, articles], links
