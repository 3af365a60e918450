from django.db import models


class Article(models.Model):
    """The few columns of the portal's article table that the reference page shows."""

    title = models.CharField(max_length=200, db_column="title_en")
    summary = models.TextField(db_column="summary_en")
    status = models.CharField(max_length=20)
    publish_at = models.DateTimeField()

    class Meta:
        managed = False  # the portal's migrations own the table
        db_table = "portal_article"

    def __str__(self):
        return self.title
