"""Fixture records for tests of importing and exporting content, and a way to compare the
whole database before and after."""

import json
from pathlib import Path

from portal.content.exporter import export_all

SOURCE = "https://www.hkma.gov.hk/eng/news"


def record(model, **fields):
    return {"model": f"portal.{model}", "fields": fields}


def valid_records():
    """A small, valid set touching every model and every kind of relation."""
    return [
        record(
            "source",
            url=SOURCE,
            title="Press releases",
            publisher="Hong Kong Monetary Authority",
            publisher_type="statutory",
            accessed="2026-11-30",
        ),
        record("sector", name_en="Banking and financial services", slug="banking-finance"),
        record(
            "organisation",
            name_en="Hong Kong Monetary Authority",
            slug="hkma",
            short_name_en="HKMA",
            kind="government_body",
            founded_year=1993,
            sectors=[["banking-finance"]],
            sources=[[SOURCE]],
        ),
        record(
            "initiative",
            name_en="GenA.I. Sandbox",
            slug="genai-sandbox",
            kind="sandbox",
            lead_organisation=["hkma"],
            start_year=2024,
            sectors=[["banking-finance"]],
            sources=[[SOURCE]],
        ),
        record(
            "article",
            title_en="Banks try generative AI",
            slug="banks-try-genai",
            body_en="Hong\u0100\u00a0Kong banks are testing it.",
            status="published",
            publish_at="2026-11-20T09:00:00+08:00",
            sectors=[["banking-finance"]],
            initiatives=[["genai-sandbox"]],
            organisations=[["hkma"]],
        ),
    ]


def write_json(directory, name, data):
    path = Path(directory) / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def snapshot(directory):
    """Every exported fixture file's bytes: a complete picture of the content in the database."""
    return {path.name: path.read_bytes() for path, _ in export_all(directory)}
