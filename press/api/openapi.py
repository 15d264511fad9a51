"""The API's OpenAPI 3.1 description, served at /api/openapi.json.

Written by hand, next to the views it describes; the tests check every
response body against the schema of its operation, so the two cannot drift.
Schemas are JSON Schema 2020-12, as OpenAPI 3.1 uses it.
"""

from media import sizes
from press.models import Kind, Outcome


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def string(description=None, **extra):
    schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


URI = string(format="uri")
DATE_TIME = string(format="date-time")
NULLABLE_URI = {"type": ["string", "null"], "format": "uri"}


ALL = "all"


def strict_object(properties, required=(), description=None):
    """An object with exactly these properties: a new field must be documented first.

    `required=ALL` says every property is always present.
    """
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required == ALL else list(required),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def page_of(item, description):
    return strict_object(
        {
            "count": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Items on all pages, on the first page; null on the pages after.",
            },
            "next": {
                **NULLABLE_URI,
                "description": "The next page (its `cursor` included), or null on the last. "
                "It stays valid while items are published: new ones join the first page.",
            },
            "previous": {
                **NULLABLE_URI,
                "description": "The previous page, or null on the first.",
            },
            "results": {"type": "array", "items": ref(item), "maxItems": 20},
        },
        required=ALL,
        description=description,
    )


def role_value(*roles):
    """ninjs 2.x headlines, descriptions and bodies: a value with a role and a media type."""
    return {
        "type": "array",
        "items": strict_object(
            {
                "role": string(enum=list(roles)),
                "contenttype": string(),
                "value": string(),
            },
            required=["value"],
        ),
    }


NAMED_LINK = strict_object(
    {"name": string(), "uri": URI, "literal": string(), "rel": string()}, required=["name"]
)


def photo_set_properties(href, **extra):
    """A photo set as listed and as shown whole: the same fields, with a cover or its photos."""
    return {
        "id": {"type": "integer"},
        "href": href,
        "uri": {**URI, "description": "The set's public page."},
        "title": string(),
        "slug": string(),
        "description": string(),
        "newsroom": ref("Newsroom"),
        "updated": DATE_TIME,
        "photo_count": {"type": "integer", "minimum": 0},
        **extra,
    }


SCHEMAS = {
    "Error": strict_object(
        {"error": string("What went wrong, and how to ask instead.")}, required=ALL
    ),
    "Index": strict_object(
        {
            "releases": URI,
            "photo_sets": URI,
            "events": URI,
            "openapi": URI,
        },
        required=ALL,
        description="Where the collections are.",
    ),
    "Newsroom": strict_object(
        {"slug": string(), "name": string(), "uri": {**URI, "description": "Its home page."}},
        required=ALL,
    ),
    "Rendition": strict_object(
        {
            "name": string("The size.", enum=[size.name for size in sizes.listed_sizes()]),
            "title": string(),
            "href": {**URI, "description": "The file."},
            "contenttype": string(),
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "sizeinbytes": {"type": "integer", "minimum": 0},
        },
        required=["name", "href", "contenttype", "width", "height", "sizeinbytes"],
        description="A ninjs 2.x rendition: one file of a photo that exists now.",
    ),
    "Picture": strict_object(
        {
            "name": string("Its name among the release's associations, e.g. “hero”, “photo-1”."),
            "uri": {**URI, "description": "The photo's public page."},
            "type": {"const": "picture"},
            "version": string("Changes with the file, its words and its rights."),
            "contentcreated": {**DATE_TIME, "description": "When it was taken."},
            "headlines": role_value("main"),
            "descriptions": role_value("caption", "alt"),
            "copyrightholder": string("The credit: print it as “Photo: …”."),
            "copyrightnotice": string(),
            "usageterms": string(),
            "renditions": {
                "type": "array",
                "items": ref("Rendition"),
                "description": "The files that exist; left out while none is made yet.",
            },
        },
        required=["uri", "type", "version"],
        description="A photo as a ninjs 2.x picture.",
    ),
    "VideoRendition": strict_object(
        {
            "name": string("The file.", enum=list(sizes.VIDEO_FILES)),
            "title": string(),
            "href": {**URI, "description": "The file."},
            "contenttype": string(),
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "sizeinbytes": {"type": "integer", "minimum": 0},
            "duration": {"type": "number", "minimum": 0, "description": "Seconds."},
            "format": string("The codecs, e.g. “H.264 / AAC”."),
        },
        required=["name", "href", "contenttype", "width", "height", "sizeinbytes"],
        description="A ninjs 2.x rendition of a video: its poster (JPEG), its web version "
        "(H.264/AAC MP4) or its broadcast file (the original streams, cleaned).",
    ),
    "Video": strict_object(
        {
            "name": string("Its name among the release's associations, e.g. “video-1”."),
            "uri": {**URI, "description": "The video's public page."},
            "type": {"const": "video"},
            "version": string("Changes with the file, its words and its rights."),
            "headlines": role_value("main"),
            "descriptions": role_value("caption"),
            "copyrightholder": string("The credit: print it as “Video: …”."),
            "copyrightnotice": string(),
            "usageterms": string(),
            "renditions": {
                "type": "array",
                "items": ref("VideoRendition"),
                "description": "The files that exist; left out while none is made yet.",
            },
        },
        required=["uri", "type", "version"],
        description="A video as a ninjs 2.x video item.",
    ),
    "Quote": strict_object(
        {
            "name": string("e.g. “quote-1”."),
            "uri": {**URI, "description": "The quote on the release's page."},
            "type": {"const": "text"},
            "profile": {"const": "quote"},
            "by": string("The speaker: name, role, organisation."),
            "bodies": role_value("quote"),
        },
        required=ALL,
        description="A quote from a release, as an associated ninjs 2.x text item.",
    ),
    "Release": strict_object(
        {
            "uri": string(
                "Its identifier, the same in the feeds; it never changes (the page's "
                "address does, with its slug: see `altids`).",
                pattern="^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            ),
            "standard": strict_object(
                {"name": {"const": "ninjs"}, "version": string(), "schema": URI},
                required=ALL,
                description="The ninjs version the item is valid against.",
            ),
            "type": {"const": "text"},
            "profile": string(enum=["press-release", "news", "results", "media-advisory"]),
            "version": string("Changes whenever the release is saved; sorts by time."),
            "versioncreated": {
                **DATE_TIME,
                "description": "The last correction, else the first publication.",
            },
            "firstcreated": {**DATE_TIME, "description": "First published."},
            "contentcreated": {**DATE_TIME, "description": "Written."},
            "pubstatus": {"const": "usable"},
            "language": string("BCP 47."),
            "altids": {
                "type": "array",
                "items": strict_object(
                    {"role": string(enum=["web", "api"]), "value": URI}, required=ALL
                ),
                "description": "The release's public page (“web”) and its address in this "
                "API (“api”).",
            },
            "headlines": role_value("main"),
            "descriptions": role_value("summary"),
            "bodies": role_value("main"),
            "by": string("The newsroom."),
            "subjects": {"type": "array", "items": NAMED_LINK, "description": "Its tags."},
            "people": {"type": "array", "items": NAMED_LINK, "description": "Who is quoted."},
            "events": {
                "type": "array",
                "items": NAMED_LINK,
                "description": "Its events; `uri` is the event in this API, with its results.",
            },
            "places": {"type": "array", "items": NAMED_LINK},
            "associations": {
                "type": "array",
                "items": {
                    "oneOf": [ref("Picture"), ref("Video"), ref("Quote")],
                    "required": ["name"],
                },
                "description": "The hero (“hero”), the photos and videos of its public sets "
                "(“photo-1” …, “video-1” …) and its quotes (“quote-1” …).",
            },
        },
        required=[
            "uri",
            "standard",
            "type",
            "profile",
            "version",
            "versioncreated",
            "firstcreated",
            "pubstatus",
            "language",
            "headlines",
            "bodies",
            "by",
        ],
        description="A live press release as an IPTC ninjs 2.x text item "
        "(https://iptc.org/standards/ninjs/). It never carries an embargo time, nor properties "
        "of our own.",
    ),
    "ReleasePage": page_of("Release", "Live releases, newest first."),
    "PhotoSetSummary": strict_object(
        photo_set_properties(
            href={**URI, "description": "The set in this API, with its photos."},
            cover={"oneOf": [ref("Picture"), {"type": "null"}]},
        ),
        required=ALL,
    ),
    "PhotoSet": strict_object(
        photo_set_properties(
            href=URI,
            photos={"type": "array", "items": ref("Picture")},
            videos={"type": "array", "items": ref("Video")},
        ),
        required=ALL,
    ),
    "PhotoSetPage": page_of("PhotoSetSummary", "Public photo sets, newest first."),
    "Result": strict_object(
        {
            "session": string("e.g. “Qualifying”."),
            "class": string("e.g. “TCR”; may be empty."),
            "entry": string("Car or crew, e.g. “#120”; may be empty."),
            "position": {"type": ["integer", "null"], "minimum": 1},
            "outcome": string(enum=list(Outcome.values)),
            "note": string(),
            "release": strict_object(
                {"headline": string(), "uri": URI, "href": URI},
                required=ALL,
                description="The live release the result was published in.",
            ),
        },
        required=ALL,
    ),
    "Event": strict_object(
        {
            "id": {"type": "integer"},
            "href": URI,
            "name": string(),
            "slug": string(),
            "series": string(),
            "venue": string(),
            "city": string(),
            "country": string(),
            "place": string("Venue, city and country in one line."),
            "starts_on": string(format="date"),
            "ends_on": string(format="date"),
            "website": string(),
            "newsroom": ref("Newsroom"),
            "results": {
                "type": "array",
                "items": ref("Result"),
                "description": "Results from live releases only.",
            },
        },
        required=ALL,
    ),
    "EventPage": page_of("Event", "Events, latest first; soonest first with upcoming=1."),
    "OpenAPI": {"type": "object", "description": "This document."},
}

HEADERS = {
    "ETag": {"description": "Strong; send it back in If-None-Match.", "schema": string()},
    "Cache-Control": {"schema": string(const="public, max-age=60")},
    "Access-Control-Allow-Origin": {"schema": string(const="*")},
}


def answer(schema, description):
    return {
        "description": description,
        "headers": HEADERS,
        "content": {"application/json": {"schema": ref(schema)}},
    }


def operation(operation_id, summary, schema, *, parameters=(), bad_request=False, missing=False):
    responses = {
        "200": answer(schema, "OK."),
        "304": {"description": "Not modified: the If-None-Match tag is still current."},
    }
    if bad_request:
        responses["400"] = answer("Error", "A parameter is malformed; `error` says how.")
    if missing:
        responses["404"] = answer("Error", "Nothing public here (or no such page).")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def query(name, description, schema):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def in_path(name, schema):
    return {"name": name, "in": "path", "required": True, "schema": schema}


# Lists are read a page at a time by cursor; numbered pages went with it (only 1 remains).
CURSOR = query(
    "cursor",
    "Where the page starts: take it from a page's `next` or `previous` link, as it is; "
    "without it, the first page. 20 items a page. A cursor the list did not give is a 400.",
    string(pattern="^[-A-Za-z0-9_]*$"),
)
PAGE = {
    **query(
        "page",
        "The first page: 1 is the only number left since pages go by cursor; any other is a "
        "400 (follow `next` instead).",
        {"type": "integer", "const": 1},
    ),
    "deprecated": True,
}
PAGING = [CURSOR, PAGE]
SLUG = string(pattern="^[-a-zA-Z0-9_]+$")
# Filters: an empty value is no filter (`?tag=` is every release), as forms send them.
NO_FILTER = " Empty: no filter."
FILTER_SLUG = string(pattern="^[-a-zA-Z0-9_]*$")
NEWSROOM = query("newsroom", "Only this newsroom's (its slug)." + NO_FILTER, FILTER_SLUG)


def document(server_url):
    """The OpenAPI document, with the absolute address of /api/ as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Newsroom API",
            "version": "1.0.0",
            "description": (
                "Read-only: live press releases as IPTC ninjs 2.x items, public photo sets "
                "and events with their results. Releases still under embargo, drafts and "
                "withdrawn releases, and everything that goes public only with them, are "
                "never in it. Every answer is JSON with a strong ETag (send If-None-Match "
                "for a 304), may be cached for 60 seconds, and can be read from any site "
                "(CORS). Unknown addresses answer a JSON 404."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": operation("getIndex", "Where the collections are", "Index"),
            "/openapi.json": operation("getOpenApi", "This description", "OpenAPI"),
            "/releases/": operation(
                "listReleases",
                "Live releases, newest first",
                "ReleasePage",
                parameters=[
                    *PAGING,
                    NEWSROOM,
                    query(
                        "tag", "Only releases with this tag (its slug)." + NO_FILTER, FILTER_SLUG
                    ),
                    query(
                        "kind",
                        "Only this kind; “release” is profile “press-release”, "
                        "“advisory” is “media-advisory”." + NO_FILTER,
                        string(enum=[*Kind.values, ""]),
                    ),
                    query(
                        "updated_since",
                        "Only releases changed, corrected or gone live after this time "
                        "(ISO 8601; UTC without an offset; write “+” as %2B)." + NO_FILTER,
                        {"anyOf": [DATE_TIME, string(maxLength=0)]},
                    ),
                ],
                bad_request=True,
            ),
            "/releases/{newsroom}/{slug}/": {
                **operation("getRelease", "One live release", "Release", missing=True),
                "parameters": [in_path("newsroom", SLUG), in_path("slug", SLUG)],
            },
            "/photo-sets/": operation(
                "listPhotoSets",
                "Public photo sets, newest first, each with its cover",
                "PhotoSetPage",
                parameters=[*PAGING, NEWSROOM],
                bad_request=True,
            ),
            "/photo-sets/{id}/": {
                **operation(
                    "getPhotoSet", "One public set with its photos", "PhotoSet", missing=True
                ),
                "parameters": [in_path("id", {"type": "integer"})],
            },
            "/events/": operation(
                "listEvents",
                "Events with the results of live releases",
                "EventPage",
                parameters=[
                    *PAGING,
                    NEWSROOM,
                    query(
                        "upcoming",
                        "1: only events not over yet, soonest first; 0 or empty: all.",
                        string(enum=["0", "1", ""]),
                    ),
                ],
                bad_request=True,
            ),
            "/events/{id}/": {
                **operation("getEvent", "One event with its results", "Event", missing=True),
                "parameters": [in_path("id", {"type": "integer"})],
            },
        },
        "components": {"schemas": SCHEMAS},
    }
