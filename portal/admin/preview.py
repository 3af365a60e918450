"""Article previews for editors, both staff-only and never seen by readers:

- `article_page`: an article's whole page exactly as readers will see it, whatever its status
  (the public page's template and context, from portal.reference.citations, not the public views).
- `MarkdownPreviewTextarea` and `markdown_preview`: a panel beside the Markdown body that
  `static/portal/admin/markdown-preview.js` fills as the editor types, from an endpoint that
  renders with `portal.reference.markdown.render_markdown`, the public pages' renderer and
  sanitiser,
  footnotes resolved against the sources chosen in the same form.
"""

from django.conf import settings
from django.contrib.admin.widgets import AdminTextareaWidget
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.models import Source
from portal.records.wording import bcp47
from portal.reference.citations import record_meta
from portal.reference.footnotes import footnote_problems
from portal.reference.markdown import render_markdown
from portal.reference.numbering import References

# Longer text than any article body; a preview request past it is refused, not rendered.
MAX_PREVIEW_CHARS = 200_000
MAX_PREVIEW_SOURCES = 200


def article_page(request, article):
    """`article`'s public page, marked as a preview and kept out of search engines."""
    context = {"article": article, "object": article, "preview": True}
    context.update(record_meta(article, request, "article"))
    response = TemplateResponse(request, "portal/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class MarkdownPreviewTextarea(AdminTextareaWidget):
    """The admin's textarea with a live preview panel beside it (below it on narrow screens).

    The panel stays hidden without JavaScript; the whole-page preview still works then.
    """

    def __init__(self, preview_url, language, attrs=None):
        super().__init__(attrs)
        self.preview_url = preview_url
        self.language = language

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        panel_id = f"{(attrs or {}).get('id') or name}_preview"
        return format_html(
            '<div class="markdown-editor" data-preview-url="{url}" data-language="{language}">'
            "{textarea}"
            '<section class="markdown-preview" id="{panel_id}" aria-label="{label}" '
            'lang="{bcp47}" hidden>'
            '<p class="markdown-preview-heading" aria-hidden="true">{label}</p>'
            '<ul class="markdown-preview-problems errorlist"></ul>'
            '<div class="markdown-preview-body"></div>'
            "</section></div>",
            url=self.preview_url,
            language=self.language,
            textarea=textarea,
            panel_id=panel_id,
            # Named for its language, as the body fields are ("Body [en]"): the two panels
            # are landmarks, each needs a name of its own.
            label=_("Preview [%(language)s]") % {"language": self.language},
            bcp47=bcp47(self.language),
        )

    class Media:
        js = ["portal/admin/markdown-preview.js"]
        css = {"all": ["portal/admin/editors.css"]}


def markdown_preview(request):
    """Render the posted Markdown `text` as the public page would: JSON {"html": ...,
    "problems": [footnote problems, as the form would report them on save]}.

    The text is followed by its reference list, as on the page. POST only; the admin wraps it
    (staff login, CSRF token). `language` ("en", "zh-hant") sets the list's language;
    `sources` (ids, repeated, in the form's order) are the sources footnotes may cite.
    """
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_CHARS:
        return JsonResponse({"error": "text too long to preview"}, status=400)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    ids = [int(value) for value in request.POST.getlist("sources") if value.isdecimal()]
    ids = list(dict.fromkeys(ids))[:MAX_PREVIEW_SOURCES]
    found = Source.objects.in_bulk(ids)
    sources = [found[pk] for pk in ids if pk in found]
    with translation.override(language):
        # Two previews (one per language) share the form's page: ids of their own.
        references = References(sources, id_prefix=f"preview_{language.replace('-', '_')}-")
        html = render_markdown(text, references=references) + render_to_string(
            "portal/includes/_source_list.html", {"refs": {"references": references}}
        )
        problems = footnote_problems(text, [s.url for s in sources]) if "[^" in text else []
    return JsonResponse({"html": str(html), "problems": [str(p) for p in problems]})
