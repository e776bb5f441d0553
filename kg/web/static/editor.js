// The query editor: YASGUI configured to stay offline, keep nothing in browser storage,
// know the project's prefixes and offer the named queries as examples.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kg-editor-config").textContent);
  var Yasgui = window.Yasgui;

  // No internet: drop the LOV class/property autocompleters; never ask prefix.cc.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (n) {
    return n !== "class" && n !== "property";
  });
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.Yasqe.defaults.persistenceId = null;
  // The autocompleters would cache their lists in localStorage: keep them in memory only.
  var completers = Yasgui.Yasqe.Autocompleters || {};
  Object.keys(completers).forEach(function (name) {
    completers[name].persistenceId = null;
  });
  Yasgui.Yasr.defaults.persistenceId = null;
  Yasgui.Yasr.defaults.prefixes = cfg.prefixes;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: cfg.endpoint }]; } },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    // A shared link (#query=...) opens here but always runs against this endpoint.
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = cfg.endpoint;
      return tab;
    },
    yasqe: { value: cfg.query, persistenceId: null },
    yasr: { prefixes: cfg.prefixes, persistenceId: null },
  });
  window.kgYasgui = yasgui;

  // YASR links result IRIs to themselves: point ours at their page on this site instead.
  function localUrl(iri) {
    if (iri === cfg.ontologyIri) return cfg.root + "/ontology";
    if (iri.indexOf(cfg.ontology) === 0 && iri.length > cfg.ontology.length) {
      return cfg.root + "/ontology/" + iri.slice(cfg.ontology.length);
    }
    if (iri.indexOf(cfg.base) === 0) {
      var rest = iri.slice(cfg.base.length);
      var slash = rest.indexOf("/");
      if (slash > 0 && cfg.roots.indexOf(rest.slice(0, slash)) >= 0) return cfg.root + "/" + rest;
    }
    return null;
  }
  function localise(a) {
    if (a.dataset.kgLocal) return;
    var url = localUrl(a.getAttribute("href") || "");
    if (url) {
      a.setAttribute("href", url);
      a.removeAttribute("target"); // our own page opens here, like every link of the site
      a.dataset.kgLocal = "1";
    }
  }

  // YASGUI draws controls without names for assistive technology: name them (each time it
  // draws), and keep its tab list to tabs only (its "add tab" button sits just after the list).
  var names = [
    [".yasqe textarea", "SPARQL query"],
    [".yasgui .autocomplete", "SPARQL endpoint"],
    [".yasr select.tableSizer", "Rows per page"],
    [".yasr .tableFilter input, .yasr input[type=search]", "Filter the results"],
  ];
  function tidy(root) {
    root.querySelectorAll(".yasr a.iri, .yasr a[href^='http']").forEach(localise);
    names.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (el) {
        if (!el.getAttribute("aria-label") && !el.labels?.length) el.setAttribute("aria-label", pair[1]);
      });
    });
    root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach(function (el) {
      el.setAttribute("tabindex", "0"); // a scrolling region reachable by keyboard
    });
    root.querySelectorAll(".tabsList[role=tablist]").forEach(function (list) {
      list.querySelectorAll("button").forEach(function (button) {
        if (!button.closest("[role=tab]")) list.parentNode.insertBefore(button, list.nextSibling);
      });
    });
  }
  var box = document.getElementById("yasgui");
  tidy(document);
  new MutationObserver(function () { tidy(box); }).observe(box, { childList: true, subtree: true });

  document.getElementById("examples").addEventListener("click", function (ev) {
    var button = ev.target.closest("button.example");
    if (!button) return;
    var example = cfg.examples.find(function (e) { return e.name === button.dataset.example; });
    if (!example) return;
    var tab = yasgui.getTab();
    if (tab) {
      tab.setQuery(example.query);
    } else {
      yasgui.addTab(true, { name: example.name, yasqe: { value: example.query } });
    }
  });
})();
