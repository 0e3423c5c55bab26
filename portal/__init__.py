"""OMUP – Otwarty Monitor Usług Publicznych: data release, store, sentences, figures and API."""

__version__ = "0.1.0"
