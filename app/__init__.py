"""PlaceOS client: Python that runs in the browser (Pyodide) and on the host (unit tests).

Only app.browser touches `js`/`pyodide`; everything else is plain Python with its I/O injected.
"""
