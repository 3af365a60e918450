"""Reading the sitemap as a crawler does: the index, then every section it lists."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def section_urls(client, index_path="/sitemap.xml"):
    """The section addresses (as paths with their query) that the sitemap index lists."""
    index = ET.fromstring(client.get(index_path).content)
    paths = []
    for loc in index.iterfind("s:sitemap/s:loc", SITEMAP_NS):
        parts = urlsplit(loc.text)
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def sitemap_xml(client):
    """The text of every section of the sitemap, joined."""
    return "\n".join(client.get(path).content.decode() for path in section_urls(client))


def sitemap_locations(client):
    """Every page address in every section of the sitemap."""
    locations = set()
    for path in section_urls(client):
        urlset = ET.fromstring(client.get(path).content)
        locations |= {loc.text for loc in urlset.iterfind("s:url/s:loc", SITEMAP_NS)}
    return locations
