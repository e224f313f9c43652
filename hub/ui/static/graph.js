// The proposal graph: Cytoscape draws the payload in #graph's data-graph attribute (the API's
// graph of the members the analyst may see, already redacted), and selecting a node shows its
// card, rendered by the server, in the side panel. Colours come from hub.css's custom
// properties, so the legend and the graph cannot disagree.
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
  var agencies = JSON.parse(box.getAttribute("data-agencies") || "[]");
  var css = getComputedStyle(document.documentElement);
  function colour(name, fallback) {
    return css.getPropertyValue(name).trim() || fallback;
  }
  function agencyColour(code) {
    var index = agencies.indexOf(code);
    return colour("--agency-" + (index < 0 ? 0 : index % 8), "#4a4f57");
  }

  var elements = payload.nodes.map(function (node) {
    var data = { id: node.id, label: node.label, kind: node.kind };
    if (node.kind === "signal") {
      data.fill = agencyColour(node.agency);
      data.ring = colour("--barrier-" + (node.barriers[0] || "none"), "#4a4f57");
      data.hit = node.level === "hit" ? "yes" : "no";
      data.label = node.agency + " · " + node.id.slice(0, 8);
    } else {
      data.label = node.type;
    }
    return { group: "nodes", data: data };
  });
  payload.edges.forEach(function (edge, index) {
    elements.push({
      group: "edges",
      data: {
        id: "e" + index,
        source: edge.source,
        target: edge.target,
        kind: edge.kind,
        label: edge.kind === "link" ? edge.types.join(", ") : "",
      },
    });
  });

  var ink = colour("--ink", "#1d1d1f");
  var cy = cytoscape({
    container: box,
    elements: elements,
    boxSelectionEnabled: false,
    minZoom: 0.3,
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
          "text-background-opacity": 0.85,
          "text-background-padding": 2,
        },
      },
      {
        selector: 'node[kind = "signal"]',
        style: {
          width: 30,
          height: 30,
          "background-color": "data(fill)",
          "border-width": 5,
          "border-color": "data(ring)",
        },
      },
      { selector: 'node[hit = "yes"]', style: { "border-style": "dashed", "background-opacity": 0.45 } },
      {
        selector: 'node[kind = "identifier"]',
        style: {
          shape: "diamond",
          width: 20,
          height: 20,
          "background-color": colour("--identifier", "#6b7280"),
          "font-size": 10,
        },
      },
      {
        selector: "edge",
        style: { width: 2, "line-color": colour("--line", "#c9ced6"), "curve-style": "bezier" },
      },
      {
        selector: 'edge[kind = "link"]',
        style: {
          "line-style": "dashed",
          "line-color": colour("--muted", "#4a4f57"),
          label: "data(label)",
          "font-size": 9,
          color: ink,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
        },
      },
      {
        selector: "node:selected",
        style: { "overlay-color": colour("--focus", "#ffbf47"), "overlay-opacity": 0.45, "overlay-padding": 6 },
      },
    ],
    // cose spreads a cluster well; beyond a few hundred nodes a concentric layout is quicker.
    layout:
      elements.length > 400
        ? { name: "concentric", animate: false, padding: 20 }
        : { name: "cose", animate: false, padding: 24, nodeRepulsion: 12000, idealEdgeLength: 80 },
  });

  // The box is wider than tall: a layout that came out tall is turned on its side (mirrored
  // in the diagonal), so it fills the box at a readable size.
  var bounds = cy.elements().boundingBox();
  if (bounds.h > bounds.w * 1.15) {
    cy.nodes().positions(function (node) {
      var at = node.position();
      return { x: at.y, y: at.x };
    });
    cy.fit(undefined, 24);
  }
  // A small cluster fitted to the box would be drawn huge; keep it at a readable size.
  if (cy.zoom() > 1.3) {
    cy.zoom(1.3);
    cy.center();
  }

  var hint = document.getElementById("node-hint");
  function show(id) {
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
    }
  }
  cy.on("tap", "node", function (event) {
    show(event.target.id());
  });

  // For tests and tools: how much was drawn.
  box.setAttribute("data-nodes", String(cy.nodes().length));
  box.setAttribute("data-edges", String(cy.edges().length));
})();
