"""The proposal graph in a real browser (headless Chromium), on a hub seeded with the demo: the
same proposal always gives the same picture, no two labels overlap (even at 200 members), each
agency kind has one colour on every page, and a table says what the graph shows."""

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

from hub.agencies.models import AGENCY_KINDS
from hub.proposals.reads import graph_payload
from hub.ui.pages.proposal import KIND_NAMES
from hub.ui.templating import STATIC_DIR
from tests.ui.demo import DemoHub
from tests.ui.test_pages import queue_ids
from tests.ui.test_pages_browser import signed_in_page

# Every node's box, label included, on screen; and the pairs of boxes that meet.
OVERLAPS = """() => {
    const cy = document.getElementById("graph")._cyreg.cy;
    const boxes = cy.nodes().map(n => [n.id(),
        n.renderedBoundingBox({includeLabels: true, includeOverlays: false})]);
    const meet = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            if (p.x1 < q.x2 && q.x1 < p.x2 && p.y1 < q.y2 && q.y1 < p.y2) meet.push([a, b]);
        }
    }
    return {nodes: boxes.length, overlaps: meet.slice(0, 10), count: meet.length};
}"""
POSITIONS = """() => {
    const cy = document.getElementById("graph")._cyreg.cy;
    return Object.fromEntries(cy.nodes().map(n => {
        const at = n.position(), shown = n.renderedPosition();
        return [n.id(), [at.x, at.y, shown.x, shown.y].map(v => Math.round(v * 100) / 100)];
    }));
}"""
# Each signal node's agency, fill, and the colour its kind has in hub.css.
FILLS = """() => {
    const cy = document.getElementById("graph")._cyreg.cy;
    const kinds = JSON.parse(document.getElementById("graph").dataset.kinds);
    const css = getComputedStyle(document.documentElement);
    return cy.nodes('[kind = "signal"]').map(n => {
        const agency = n.data("label").split(" · ")[0];
        return [agency, kinds[agency], n.style("background-color"),
                css.getPropertyValue("--agency-" + kinds[agency]).trim()];
    });
}"""


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r},{g},{b})"


def _proposals(demo: DemoHub) -> list[str]:
    from tests.ui.helpers import signed_in_client

    with closing(signed_in_client(demo.url, demo.riec)) as riec:
        return queue_ids(riec, "status=all")


@contextmanager
def _drawn(chromium, demo: DemoHub, proposal: str) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    with signed_in_page(chromium, demo, demo.riec, f"/ui/proposals/{proposal}") as (page, watch):
        page.wait_for_selector("#graph[data-nodes]")
        yield page
        watch.assert_clean()


def test_the_same_proposal_always_gives_the_same_picture(chromium, demo: DemoHub) -> None:
    proposal = _proposals(demo)[0]
    pictures = []
    for _ in range(3):
        with _drawn(chromium, demo, proposal) as page:
            pictures.append(page.evaluate(POSITIONS))
    assert len(pictures[0]) >= 3
    assert pictures[1] == pictures[0] and pictures[2] == pictures[0]


def test_no_labels_overlap_on_any_demo_proposal(chromium, demo: DemoHub) -> None:
    proposals = _proposals(demo)
    assert len(proposals) >= 3
    for proposal in proposals[:6]:
        with _drawn(chromium, demo, proposal) as page:
            found = page.evaluate(OVERLAPS)
            assert found["nodes"] >= 3 and found["count"] == 0, (proposal, found)


def _large(size: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The graph payload of a proposal of `size` members from agencies of every kind: each
    member shares a phone with the next, every fifth an address with the one five on, and
    one employer's IBAN runs through every tenth (the linker caps real clusters at 40, so
    this is built as the API would show it)."""
    agencies = {f"{kind.upper()}-{n}": kind for kind in AGENCY_KINDS for n in (1, 2)}
    codes = sorted(agencies)
    ids = [str(uuid.UUID(int=i + 1)) for i in range(size)]
    members = [
        {
            "id": ids[i],
            "agency": codes[i % len(codes)],
            "barriers": ["employment"],
            "disclosure": {"level": "hit" if i % 13 == 0 else "pseudonymised"},
        }
        for i in range(size)
    ]

    def link(a: int, b: int, kind: str, pseudonym: str) -> dict[str, Any]:
        shared = [{"type": kind, "pseudonym": pseudonym}]
        return {"kind": "rule", "signals": [ids[a], ids[b]], "shared": shared, "points": 5.0}

    explanation = [link(i, i + 1, "phone", f"ps-phone{i:04d}") for i in range(size - 1)]
    explanation += [link(i, i + 5, "address", f"ps-addr{i:04d}") for i in range(0, size - 5, 5)]
    explanation += [link(i, i + 10, "iban", "ps-iban0001") for i in range(0, size - 10, 10)]
    return graph_payload(members, explanation), agencies


def test_no_labels_overlap_even_at_200_members(chromium, demo: DemoHub) -> None:
    payload, kinds = _large(200)
    assert sum(n["kind"] == "signal" for n in payload["nodes"]) == 200
    with _drawn(chromium, demo, _proposals(demo)[0]) as page:
        # The page's own graph.js, drawing the large payload in a fresh box of the same page.
        page.evaluate(
            """([graph, kinds]) => {
                const old = document.getElementById("graph");
                old._cyreg.cy.destroy();
                const box = document.createElement("div");
                box.className = "graph";
                box.dataset.graph = JSON.stringify(graph);
                box.dataset.kinds = JSON.stringify(kinds);
                old.replaceWith(box);
                box.id = "graph";
            }""",
            [payload, kinds],
        )
        page.add_script_tag(url="/ui/static/graph.js")
        page.wait_for_selector("#graph[data-nodes]")
        found = page.evaluate(OVERLAPS)
        assert found["nodes"] == len(payload["nodes"]) > 300
        assert found["count"] == 0, found
        # The whole graph is in view, however small.
        inside = page.evaluate(
            """() => {
                const cy = document.getElementById("graph")._cyreg.cy;
                const all = cy.elements().renderedBoundingBox();
                return all.x1 >= 0 && all.y1 >= 0 && all.x2 <= cy.width() && all.y2 <= cy.height();
            }"""
        )
        assert inside


def test_each_agency_kind_has_one_colour_on_every_page(chromium, demo: DemoHub) -> None:
    seen: dict[str, str] = {}
    kinds_seen: dict[str, str] = {}
    for proposal in _proposals(demo)[:4]:
        with _drawn(chromium, demo, proposal) as page:
            for agency, kind, fill, defined in page.evaluate(FILLS):
                assert fill.replace(" ", "") == _rgb(defined), (agency, kind, fill, defined)
                assert seen.setdefault(agency, fill) == fill  # the same on every page
                assert kinds_seen.setdefault(kind, fill) == fill  # one colour per kind
            # The legend shows the same colour beside the kind's name.
            for item in page.locator("ul.legend li:has(.swatch[class*='kind-'])").all():
                kind = re.search(
                    r"kind-(\w+)", item.locator(".swatch").get_attribute("class") or ""
                )
                assert kind and item.inner_text().startswith(KIND_NAMES[kind.group(1)])
                swatch = item.locator(".swatch").evaluate(
                    "e => getComputedStyle(e).backgroundColor"
                )
                assert swatch.replace(" ", "") == kinds_seen[kind.group(1)].replace(" ", "")
    assert len(kinds_seen) >= 3, kinds_seen


def test_agency_kind_colours_are_defined_once_and_apart_from_the_barriers() -> None:
    css = (STATIC_DIR / "hub.css").read_text()
    agency = dict(re.findall(r"--agency-([a-z]+):\s*(#[0-9a-f]{6})", css))
    barrier = dict(re.findall(r"--barrier-([a-z]+):\s*(#[0-9a-f]{6})", css))
    assert set(agency) == set(AGENCY_KINDS) == set(KIND_NAMES)
    assert len(set(agency.values())) == len(agency)  # one colour each
    assert len(barrier) == 5 and not set(agency.values()) & set(barrier.values())
    for kind in AGENCY_KINDS:
        assert css.count(f"--agency-{kind}:") == 1
    # graph.js takes its colours from there and hands out none of its own.
    script = (STATIC_DIR / "graph.js").read_text()
    assert '"--agency-" + kind' in script and not re.search(r"--agency-\d", script + css)


def test_the_graph_has_a_table_of_the_same_nodes(chromium, demo: DemoHub) -> None:
    with _drawn(chromium, demo, _proposals(demo)[0]) as page:
        nodes = page.evaluate(
            """() => document.getElementById("graph")._cyreg.cy
                .nodes('[kind = "signal"], [kind = "identifier"]').map(n => n.id()).sort()"""
        )
        # The table loads when it is opened (htmx), not with the page.
        table = page.locator("details.graph-table table")
        assert table.count() == 0
        page.click("details.graph-table summary")
        table.wait_for(state="visible", timeout=10_000)
        assert table.locator("caption").text_content()
        assert table.locator("thead th[scope=col]").count() == 4
        rows = table.locator("tbody tr")
        assert rows.count() == len(nodes) == rows.locator("th[scope=row]").count()
        buttons = sorted(
            table.locator("button.show-node").evaluate_all("bs => bs.map(b => b.dataset.node)")
        )
        assert buttons == nodes
        # A button selects its node in the graph and shows its card.
        target = json.dumps(nodes[-1])
        table.locator(f"button[data-node={target}]").click()
        assert page.evaluate(
            "id => document.getElementById('graph')._cyreg.cy.getElementById(id).selected()",
            nodes[-1],
        )
        page.locator(f"[id='card-{nodes[-1]}']").wait_for(state="visible", timeout=10_000)
