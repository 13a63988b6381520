"""The one rule for showing a stream URL: every URL the stream guard journals, logs or shows goes
through `mask_url` (ingest servers, the viewer probe's playback URL, the stream panel's text).

Push and playback URLs carry their auth in different places: a password in the userinfo
(`rtmp://user:pass@host/...`), the stream key as the last path segment (`rtmp://host/live/KEY`), or a
token in the query (`?txSecret=...&txTime=...`, `?auth_key=...`, SRT's `passphrase=`). The masked URL keeps
what an operator needs to tell ingests apart (scheme, host, port, the application path, the query's
parameter names) and nothing that would let anyone publish or play.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_URL_IN_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def mask_url(url: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """The URL without secrets: the userinfo's password (a userinfo without one is itself a token), the
    last path segment when the path has more than one (the stream key / room id), every query value (auth
    tokens), and any of `secrets` (e.g. the configured key) wherever it appears. Idempotent."""
    try:
        p = urlsplit(url)
    except ValueError:
        return MASK
    netloc = p.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}:{MASK}@{host}" if ":" in user else f"{MASK}@{host}"
    segs = p.path.split("/")
    if len([s for s in segs if s]) > 1:
        for i in range(len(segs) - 1, -1, -1):
            if segs[i]:
                stem, dot, ext = segs[i].rpartition(".")
                segs[i] = f"{MASK}.{ext}" if dot and stem and len(ext) <= 4 else MASK
                break
    query = urlencode([(k, MASK) for k, _ in parse_qsl(p.query, keep_blank_values=True)], safe="*")
    if p.query and not query:
        query = MASK
    out = urlunsplit((p.scheme, netloc, "/".join(segs), query, ""))
    for s in secrets:
        if s and len(s) >= 3:
            out = out.replace(s, MASK)
    return out


def mask_text(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """Every URL inside free text (an error message, a label) through `mask_url`, and `secrets` anywhere."""
    def one(m: re.Match) -> str:
        url = m.group(0)
        tail = len(url) - len(url.rstrip(").,;:!?]}"))      # prose punctuation after a URL is not part of it
        return mask_url(url[:len(url) - tail], secrets) + url[len(url) - tail:]
    out = _URL_IN_TEXT.sub(one, str(text))
    for s in secrets:
        if s and len(s) >= 3:
            out = out.replace(s, MASK)
    return out


def url_secrets(url: str) -> list[str]:
    """The parts of `url` that mask_url hides, for scrubbing them out of text that quotes them apart (ffmpeg
    sometimes prints only the key or a re-assembled URL)."""
    p = urlsplit(url)
    segs = [s for s in p.path.split("/") if s]
    out = segs[-1:] if len(segs) > 1 else []
    out += [v for _, v in parse_qsl(p.query)]
    if p.password:
        out.append(p.password)
    elif p.username and "@" in p.netloc:
        out.append(p.username)
    return [s for s in out if len(s) >= 3]
