"""Helpers for tests that drive the admin through its pages, as an editor's browser would."""

import re
from html import unescape
from html.parser import HTMLParser

from django.urls import reverse


class _FormValues(HTMLParser):
    """What a browser would submit from the form with id `form_id`, as {name: [values]}."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self.select = self.textarea = None

    def add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on")
            elif kind not in {"submit", "button", "image", "file", "reset"}:
                self.add(name, attrs.get("value") or "")
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline Django's widget puts after the opening tag.
            self.add(self.textarea, self.text.removeprefix("\r\n").removeprefix("\n"))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def form_values(response, model):
    """The change form's fields as the page shows them, ready to POST back (edit, then post)."""
    assert response.status_code == 200, response.status_code
    parser = _FormValues(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    assert parser.values, f"no {model._meta.model_name}_form on the page"
    return {
        name: values if len(values) > 1 else values[0] for name, values in parser.values.items()
    }


def admin_url(model, view, *args):
    return reverse(f"admin:portal_{model._meta.model_name}_{view}", args=args)


def dashboard_panels(response):
    """{panel key: (count, link)} of the dashboard on the admin index `response`, as shown."""
    html = response.content.decode()
    found = re.findall(
        r'<section class="module dashboard-panel" id="panel-([\w-]+)".*?'
        r'class="dashboard-count">(\d+)</span>.*?<p class="dashboard-all"><a href="([^"]+)"',
        html,
        flags=re.S,
    )
    return {key: (int(count), unescape(link)) for key, count, link in found}
