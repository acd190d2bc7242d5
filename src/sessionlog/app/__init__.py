"""The workflows: plain values and `now` in, results and typed problems out.

Nothing here prints, exits, reads the clock or imports Typer or Rich, so any front end (the
CLI, a git merge driver, a web page) can call the same functions. A workflow that cannot go
on raises `SessionlogError`, which carries a `Problem`; findings that do not stop it come
back as warnings in its result.
"""
