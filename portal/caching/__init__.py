"""Caching: the content generation and what is cached on it.

`generation` keeps a number that database triggers bump with every write to public content;
`pages` caches anonymous public pages under it, with ETags and Cache-Control; `backends` is
the default file cache without Redis.
"""
