"""Pages: one module per page; each `layout(**url_params)` returns components (see routes.py)."""
