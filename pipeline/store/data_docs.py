"""GX Data Docs that open offline: the CDN links in GX's page templates pointed at copies here.

GX Core 1.x renders Data Docs from Jinja templates that load Bootstrap, jQuery, Popper,
bootstrap-table, the datepicker, bootstrap-dark and Font Awesome from public CDNs, and its logo
from S3. It has no setting for local copies: a site's `custom_views_directory` is searched
after GX's own templates, so it cannot replace them, and `custom_styles_directory` only adds
CSS. Offline the pages come out unstyled and the index's validation list, which
bootstrap-table draws, stays empty. So after each build the pages written by that build get
their CDN addresses replaced by relative paths into `static/vendor/`, where the files in
`data_docs_assets/` (the exact versions GX asks for, from npm, with their licences) are copied.
Vega is left out: only profiling pages chart with it, and the journal suite draws none.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).with_name("data_docs_assets")
VENDOR = "static/vendor"

# What GX's templates load, by the address they load it from (render/view/templates/*.j2).
LOCAL = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/bootstrap.min.js"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js/popper.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table/bootstrap-table-filter-control.min.js"
    ),
    # The templates ask for 1.19.0's stylesheet beside 1.19.1's script; 1.19.1's is served.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": (
        "bootstrap-table/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": ("bootstrap-datepicker/bootstrap-datepicker.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": ("bootstrap-datepicker/bootstrap-datepicker.min.js"),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": ("bootstrap-dark/bootstrap-prefers-dark.min.css"),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome/css/all.min.css"
    ),
}
# The logo's folder on S3; GX copies the same images into the site's static/images/.
LOGO_HOST = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
VEGA = re.compile(r'<script src="https://cdn\.jsdelivr\.net/npm/vega[^"]*"></script>\s*')
# Subresource integrity and CORS mode make a browser refuse a file:// script.
SRI = re.compile(r'\s+integrity="[^"]*"\s+crossorigin="anonymous"')
REMOTE = re.compile(r'<(?:script|link|img)\b[^>]*(?:src|href)="(https?://[^"]+)"')


def install_assets(site: Path) -> None:
    """Copy the vendored files into the site's static/vendor/ (once; same size means same)."""
    for source in ASSETS.rglob("*"):
        if source.is_dir():
            continue
        target = site / VENDOR / source.relative_to(ASSETS)
        if target.exists() and target.stat().st_size == source.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def localize_page(text: str, page: Path, site: Path) -> str:
    """The page's CDN addresses as paths relative to it; vega dropped when unused."""
    vendor = Path(os.path.relpath(site / VENDOR, page.parent)).as_posix()
    images = Path(os.path.relpath(site / "static" / "images", page.parent)).as_posix()
    for remote, local in LOCAL.items():
        text = text.replace(remote, f"{vendor}/{local}")
    text = text.replace(LOGO_HOST, f"{images}/")
    if "vegaEmbed(" not in text:
        text = VEGA.sub("", text)
    return SRI.sub("", text)


def remote_references(text: str) -> list[str]:
    """Addresses a page still loads from the network (scripts, stylesheets, images)."""
    return REMOTE.findall(text)


def make_offline(site: Path, since: float) -> list[str]:
    """Localize every page written at or after `since` (a time.time()); returns what is still
    remote, as 'page: address' lines (none for the journal suite's pages)."""
    install_assets(site)
    left = []
    for page in sorted(site.rglob("*.html")):
        if page.stat().st_mtime < since:
            continue
        text = page.read_text(encoding="utf-8")
        offline = localize_page(text, page, site)
        if offline != text:
            page.write_text(offline, encoding="utf-8")
        left += [f"{page.relative_to(site)}: {url}" for url in remote_references(offline)]
    return left
