"""A developer's own pages: Python modules served beside the app (serve.py --pages), each at ?page=<name>."""
