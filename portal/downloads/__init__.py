"""Whole-data downloads built once per content generation, and the limit on downloads
streamed from the database.

`files` lists every whole file the site offers (each open data file, the data package, each
list's unfiltered CSV) and how its text is made; `store` builds all of them for one content
state into a directory of their own and finds the newest built for a request; `rebuild`
builds in a background thread when a request finds them out of date; `limits` holds the
slots that bound how many downloads stream from the database at once on one machine.
"""
