"""The demo county 青禾县: data in `county.py`, loading in `loader.py`.

Used by `python manage.py load_demo`; kept apart from test data (tests build
their own small trees with factories).
"""
