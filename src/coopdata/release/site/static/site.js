/* coopdata release site: the language switch and the project filter.
   Plain JavaScript, no network, no build step. Without it the pages show everything
   in English (the filter stays hidden). */
(function () {
  "use strict";

  var root = document.documentElement;
  var KEY = "coopdata-lang";

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function setLang(lang, remember) {
    root.setAttribute("lang", lang);
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-en][data-fr]"), function (el) {
      el.textContent = el.getAttribute("data-" + lang);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-label-en]"), function (el) {
      el.setAttribute("aria-label", el.getAttribute("data-label-" + lang));
    });
    var button = document.getElementById("lang-switch");
    if (button) { button.setAttribute("data-next", lang === "fr" ? "en" : "fr"); }
    if (remember) {
      try { window.localStorage.setItem(KEY, lang); } catch (e) { /* private mode */ }
    }
  }

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function has(list, value) {
    return (" " + list + " ").indexOf(" " + value + " ") !== -1;
  }

  function setUpFilter() {
    var form = document.getElementById("filter");
    var table = document.getElementById("project-list");
    if (!form || !table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var shown = document.querySelectorAll(".count .shown");
    var empty = document.getElementById("no-match");
    var fields = ["q", "country", "funder", "status", "year"];

    function values() {
      var found = {};
      fields.forEach(function (name) { found[name] = form.elements[name].value; });
      return found;
    }

    function apply() {
      var v = values();
      var words = fold(v.q).split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row) {
        var d = row.dataset;
        var ok = (!v.country || has(d.countries, v.country)) &&
          (!v.funder || has(d.funders, v.funder)) &&
          (!v.status || d.status === v.status) &&
          (!v.year || has(d.years, v.year)) &&
          words.every(function (w) { return d.search.indexOf(w) !== -1; });
        row.hidden = !ok;
        if (ok) { count += 1; }
      });
      Array.prototype.forEach.call(shown, function (el) { el.textContent = String(count); });
      empty.hidden = count !== 0;
      var params = new URLSearchParams();
      fields.forEach(function (name) { if (v[name]) { params.set(name, v[name]); } });
      try {
        var query = params.toString();
        window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
      } catch (e) { /* file:// in some browsers */ }
    }

    var initial = new URLSearchParams(window.location.search);
    fields.forEach(function (name) {
      var value = initial.get(name);
      var element = form.elements[name];
      if (!value) { return; }
      if (element.tagName === "SELECT") {
        var known = Array.prototype.some.call(element.options, function (o) {
          return o.value === value;
        });
        if (known) { element.value = value; }
      } else {
        element.value = value;
      }
    });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    apply();
  }

  function start() {
    var wanted = stored();
    if (wanted !== "en" && wanted !== "fr") {
      wanted = /^fr\b/i.test(navigator.language || "") ? "fr" : "en";
    }
    setLang(wanted, false);
    var button = document.getElementById("lang-switch");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        setLang(root.getAttribute("lang") === "fr" ? "en" : "fr", true);
      });
    }
    setUpFilter();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
