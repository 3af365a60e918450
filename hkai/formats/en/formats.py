"""English date formats for the portal: day, month, year ("30 November 2026"), as Hong Kong
and British English write them, where Django's own English is American ("Nov. 30, 2026").
One format for every page, so no page shows both. The Chinese formats are Django's own
(django/conf/locale/zh_Hant/formats.py: "2026年11月30日"). Syntax:
https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
