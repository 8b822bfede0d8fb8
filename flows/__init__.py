"""newsclean: raw scraped news articles in, a clean, validated Parquet dataset out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsclean")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+unknown"
