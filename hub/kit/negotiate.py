"""Content negotiation: which of a route's renditions an Accept header prefers."""

from collections.abc import Mapping

from hub.errors import NotAcceptable


def negotiate(accept: str | None, media_types: Mapping[str, str]) -> str:
    """The rendition (a key of `media_types`) the Accept header prefers, the first one when it
    allows any; 406 when none fits."""
    if not accept:
        return next(iter(media_types))
    best, best_q = None, 0.0
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    for rendition, media_type in media_types.items():
        kind = media_type.split("/")[0]
        # The most specific range that matches decides this type's quality (RFC 9110 §12.5.1).
        matches = [
            (3 if m == media_type else 2 if m == f"{kind}/*" else 1, q)
            for m, q in ranges
            if m in (media_type, f"{kind}/*", "*/*")
        ]
        if matches:
            q = max(matches)[1]
            if q > best_q:
                best, best_q = rendition, q
    if best is None:
        raise NotAcceptable(
            f"This comes as {', '.join(media_types.values())}.", headers={"Vary": "Accept"}
        )
    return best
