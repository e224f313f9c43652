// The proposal graph: Cytoscape draws the payload in #graph's data-graph attribute (the API's
// graph of the members the analyst may see, already redacted), and selecting a node, in the
// graph or with a "Show in the graph" button of the table beside it, shows its card, rendered
// by the server when first asked for, in the side panel. Colours come from hub.css's custom
// properties (one per agency kind), so the legend, the table and the graph cannot disagree.
//
// The layout has no chance in it: the same proposal always gives the same picture. Signals sit
// on an outer ring, grouped by agency kind; what they share sits on an inner ring, in the order
// of the signals that carry it. The rings are spaced by the largest node with its label, so no
// two labels overlap, however many members.
(function () {
  "use strict";

  var box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") {
    return;
  }
  // Cytoscape inserts a <style> element unless one with this id exists; the CSP would block
  // it (and report a violation), and hub.css holds its one rule already.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    var marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }

  var payload = JSON.parse(box.getAttribute("data-graph"));
  var kinds = JSON.parse(box.getAttribute("data-kinds") || "{}");
  // Identifier and link types in the page's language, from the server's catalogue.
  var terms = JSON.parse(box.getAttribute("data-terms") || "{}");
  function term(type) {
    return terms[type] || type;
  }
  var css = getComputedStyle(document.documentElement);
  function colour(name, fallback) {
    return css.getPropertyValue(name).trim() || fallback;
  }
  function kindOf(node) {
    return kinds[node.agency] || "other";
  }
  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        return a[i] < b[i] ? -1 : 1;
      }
    }
    return 0;
  }

  // Sorted by what they are, never by the order the server happened to list them in.
  var signals = payload.nodes.filter(function (n) {
    return n.kind === "signal";
  });
  signals.sort(function (a, b) {
    return compare([kindOf(a), a.agency, a.id], [kindOf(b), b.agency, b.id]);
  });
  var shared = payload.nodes.filter(function (n) {
    return n.kind !== "signal";
  });
  shared.sort(function (a, b) {
    return compare([a.id], [b.id]);
  });

  var elements = signals.map(function (node) {
    var kind = kindOf(node);
    return {
      group: "nodes",
      data: {
        id: node.id,
        kind: "signal",
        fill: colour("--agency-" + kind, "#999999"),
        hit: node.level === "hit" ? "yes" : "no",
        label: node.agency + " · " + node.id.slice(0, 8),
      },
    };
  });
  shared.forEach(function (node) {
    elements.push({
      group: "nodes",
      data: { id: node.id, kind: node.kind, label: node.kind === "identifier" ? term(node.type) : node.label },
    });
  });
  var edges = payload.edges.slice().sort(function (a, b) {
    return compare([a.source, a.target, a.kind], [b.source, b.target, b.kind]);
  });
  edges.forEach(function (edge, index) {
    elements.push({
      group: "edges",
      data: {
        id: "e" + index,
        source: edge.source,
        target: edge.target,
        kind: edge.kind,
        label: edge.kind === "link" ? edge.types.map(term).join(", ") : "",
      },
    });
  });

  var ink = colour("--hub-ink", "#0f172a");
  var cy = cytoscape({
    container: box,
    elements: elements,
    layout: { name: "preset" },
    boxSelectionEnabled: false,
    minZoom: 0.02,
    maxZoom: 2.5,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-family": "system-ui, sans-serif",
          "font-size": 11,
          color: ink,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
          "text-background-padding": 2,
        },
      },
      {
        selector: 'node[kind = "signal"]',
        style: {
          width: 28,
          height: 28,
          "background-color": "data(fill)",
          "border-width": 2,
          "border-color": ink,
        },
      },
      { selector: 'node[hit = "yes"]', style: { "border-style": "dashed", "background-opacity": 0.4 } },
      {
        selector: 'node[kind != "signal"]',
        style: {
          shape: "diamond",
          width: 18,
          height: 18,
          "background-color": colour("--identifier", "#5b6472"),
          "font-size": 10,
        },
      },
      {
        selector: "edge",
        style: { width: 1.5, "line-color": colour("--hub-edge", "#64748b"), "curve-style": "straight" },
      },
      {
        selector: 'edge[kind = "link"]',
        style: {
          "line-style": "dashed",
          "line-color": colour("--hub-muted", "#334155"),
          label: "data(label)",
          "font-size": 9,
          color: ink,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
        },
      },
      {
        selector: "node:selected",
        style: { "overlay-color": ink, "overlay-opacity": 0.25, "overlay-padding": 6 },
      },
    ],
  });

  // The half-width and half-height every node needs around its centre, label included.
  var reach = { x: 0, y: 0 };
  cy.nodes().forEach(function (node) {
    var at = node.position();
    var bounds = node.boundingBox({ includeLabels: true, includeOverlays: false });
    reach.x = Math.max(reach.x, at.x - bounds.x1, bounds.x2 - at.x);
    reach.y = Math.max(reach.y, at.y - bounds.y1, bounds.y2 - at.y);
  });
  // Two such boxes cannot meet when their centres are this far apart.
  var gap = 2 * Math.sqrt(reach.x * reach.x + reach.y * reach.y) + 6;
  function ring(count) {
    return count < 2 ? 0 : gap / (2 * Math.sin(Math.PI / count));
  }
  var top = -Math.PI / 2;
  var positions = {};
  var angle = {};
  signals.forEach(function (node, i) {
    angle[node.id] = top + (2 * Math.PI * i) / signals.length;
  });
  // What signals share goes where the signals carrying it are (their mean direction).
  var toward = shared.map(function (node) {
    var x = 0;
    var y = 0;
    cy.getElementById(node.id)
      .neighborhood("node")
      .forEach(function (other) {
        if (angle[other.id()] !== undefined) {
          x += Math.cos(angle[other.id()] - top);
          y += Math.sin(angle[other.id()] - top);
        }
      });
    var direction = Math.atan2(y, x);
    return { id: node.id, direction: direction < 0 ? direction + 2 * Math.PI : direction };
  });
  toward.sort(function (a, b) {
    return compare([a.direction, a.id], [b.direction, b.id]);
  });
  var inner = ring(toward.length);
  var outer = Math.max(ring(signals.length), toward.length ? inner + gap : 0);
  toward.forEach(function (node, i) {
    var at = top + (2 * Math.PI * i) / toward.length;
    positions[node.id] = { x: inner * Math.cos(at), y: inner * Math.sin(at) };
  });
  signals.forEach(function (node) {
    positions[node.id] = { x: outer * Math.cos(angle[node.id]), y: outer * Math.sin(angle[node.id]) };
  });
  cy.nodes().positions(function (node) {
    return positions[node.id()];
  });
  // Taller where the picture needs it to be drawn at full size (as far as the box's width
  // allows), up to most of the window, so labels stay readable. The height is set through the
  // CSSOM, which the CSP allows, unlike a style attribute.
  var drawn = cy.elements().boundingBox();
  var needed = drawn.h * Math.min(1, (box.clientWidth - 48) / drawn.w) + 48;
  if (needed > box.clientHeight) {
    box.style.height = Math.round(Math.min(needed, window.innerHeight * 0.8)) + "px";
    cy.resize();
  }
  cy.fit(undefined, 24);
  // A small cluster fitted to the box would be drawn huge; keep it at a readable size.
  if (cy.zoom() > 1.3) {
    cy.zoom(1.3);
    cy.center();
  }

  var hint = document.getElementById("node-hint");
  var panel = document.getElementById("node-cards");
  // The server renders a card when its node is first selected (not 200 of them with the page);
  // `shown` is the node asked for last, so a slow answer never takes over from a newer choice.
  var shown = null;
  var loading = {};
  function reveal(id, focus) {
    var cards = document.querySelectorAll(".node-card");
    for (var i = 0; i < cards.length; i++) {
      cards[i].hidden = true;
    }
    var card = document.getElementById("card-" + id);
    if (card) {
      card.hidden = false;
      if (hint) {
        hint.hidden = true;
      }
      // Into view (below the graph on a narrow screen; its details load once seen, by htmx).
      // From the table's button the focus goes along, so it never stays behind off screen.
      if (focus) {
        card.focus();
      } else {
        card.scrollIntoView({ block: "nearest" });
      }
    }
  }
  function show(id, focus) {
    shown = id;
    if (document.getElementById("card-" + id) || !panel || typeof htmx === "undefined") {
      reveal(id, focus);
      return;
    }
    if (loading[id]) {
      return;
    }
    loading[id] = true;
    var url = panel.getAttribute("data-cards") + encodeURIComponent(id);
    htmx.ajax("GET", url, { target: panel, swap: "beforeend" }).then(function () {
      loading[id] = false;
      if (shown === id) {
        reveal(id, focus);
      }
    });
  }
  cy.on("tap", "node", function (event) {
    show(event.target.id());
  });
  // The table's buttons: the keyboard's and screen reader's way to a node.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.show-node");
    if (!button) {
      return;
    }
    var node = cy.getElementById(button.getAttribute("data-node"));
    if (node.empty()) {
      return;
    }
    cy.nodes().unselect();
    node.select();
    cy.center(node);
    show(node.id(), true);
  });

  // For tests and tools: how much was drawn.
  box.setAttribute("data-nodes", String(cy.nodes().length));
  box.setAttribute("data-edges", String(cy.edges().length));
})();
