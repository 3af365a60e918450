"""Reference: how facts cite their sources.

`footnotes` checks that Markdown footnotes name the record's own sources (the importer and
the admin both call it); `markdown` renders Markdown with those notes, numbered by `numbering`
(one reference list per page, in order of first use); `citations` is "Cite
this page" (APA text, BibTeX, RIS, CSL-JSON) and "About this page"; `cited_by` is what cites
each source on /sources/; `linkcheck` fetches the sources' addresses politely for
`manage.py check_sources`.
"""
