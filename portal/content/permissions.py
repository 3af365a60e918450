"""What an import needs beyond adding and changing content: publishing.

Publishing, scheduling and taking an article back to draft need `portal.publish_article`,
in an import as on the article form (portal.admin.publishing). `import_files` asks
`publishing_problems` when it imports for a user without that permission.
"""

from portal.content.reader import read_records
from portal.content.schema import SPECS_BY_MODEL, convert_fields
from portal.models import Article

PUBLISH_PERMISSION = "portal.publish_article"
LOOKUP_CHUNK = 500
MESSAGE = (
    "publishing, scheduling or unpublishing an article needs the permission to publish: "
    "keep its status and publish date as they are (a new article as a draft), or ask "
    "someone who may publish to import the file"
)


def changes_publishing(status, publish_at, current_status, current_publish_at):
    """Whether an article going from (current_status, current_publish_at) to (status,
    publish_at) is published, scheduled or unpublished: a draft and an article in review are
    both unpublished, so moving between them is not."""
    published = Article.Status.PUBLISHED
    if (status == published) != (current_status == published):
        return True
    return status == published and publish_at != current_publish_at


def publishing_problems(paths, problem_class):
    """A `problem_class` (the importer's Problem) for each article record in `paths`, valid
    fixture files, that would publish, schedule or unpublish: a new article that is
    published, or an existing one whose status, or publish date while published, it changes.
    """
    spec = SPECS_BY_MODEL[Article]
    wanted = []  # (path, record number, slug, status, publish_at)
    for path in paths:
        for number, record in read_records(path):
            if str(record.get("model", "")).lower() == spec.label:
                values = convert_fields(spec, record["fields"]).values
                wanted.append(
                    (path, number, values["slug"], values["status"], values["publish_at"])
                )
    problems = []
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        current = {
            slug: (status, publish_at)
            for slug, status, publish_at in Article.objects.filter(
                slug__in=[slug for _, _, slug, _, _ in chunk]
            ).values_list("slug", "status", "publish_at")
        }
        for path, number, slug, status, publish_at in chunk:
            if slug not in current:
                changes = status == Article.Status.PUBLISHED
            else:
                changes = changes_publishing(status, publish_at, *current[slug])
            if changes:
                problems.append(
                    problem_class(
                        str(path),
                        MESSAGE,
                        record=number,
                        model=spec.label,
                        key=slug,
                        field="status",
                    )
                )
    return problems
