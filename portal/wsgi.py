"""WSGI entry point for gunicorn (see Procfile): the release is loaded once, before workers fork (--preload)."""

import ctypes
import gc

from portal.app import create_app

app = create_app()
server = app.server

# Compress every script and stylesheet once, at best quality, before workers fork (kept on disk afterwards).
from portal.bundles import warm_static  # noqa: E402

warm_static(app)

# Render a few unit profiles before the workers fork: what a first render builds and keeps is then shared by
# every worker instead of made in each (portal/pagecache.py).
from portal.pagecache import warm as warm_profiles  # noqa: E402

warm_profiles(server)

# Workers fork from this process and share its memory copy-on-write. Return freed heap to the OS, then move
# every object made so far out of the garbage collector's reach, so collections in the workers do not write
# to (and thereby copy) the shared pages.
gc.collect()
try:
    ctypes.CDLL("libc.so.6").malloc_trim(0)
except OSError:  # not glibc
    pass
gc.freeze()
