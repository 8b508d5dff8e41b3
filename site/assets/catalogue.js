/* The catalogue: filter rows by language, modality, licence and name, and sort by any
 * column. Progressive enhancement: without JavaScript the full table is shown, and the
 * pages by language and by modality filter without it. Filters are kept in the URL
 * (?language=is&modality=text) so a filtered view can be shared. */
(function () {
  "use strict";

  function versionKey(text) {
    return text.replace(/^v/, "").split(".").map(function (n) { return ("000000" + n).slice(-6); }).join(".");
  }

  function compare(a, b, type) {
    if (type === "number") return parseFloat(a) - parseFloat(b);
    if (type === "version") a = versionKey(a), b = versionKey(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var body = table.tBodies[0];
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var type = th.getAttribute("data-type");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var order = compare(r1.cells[index].getAttribute("data-value"),
                              r2.cells[index].getAttribute("data-value"), type);
          if (!ascending) order = -order;
          return order || compare(r1.getAttribute("data-id"), r2.getAttribute("data-id"), "text");
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function filterable(root) {
    var form = root.querySelector("[data-catalogue-filters]");
    var table = root.querySelector("[data-catalogue-table]");
    var count = root.querySelector("[data-catalogue-count]");
    if (!form || !table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var params = new URLSearchParams(window.location.search);
    var controls = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
    controls.forEach(function (control) {
      if (params.has(control.name)) control.value = params.get(control.name);
    });
    function has(row, attribute, value) {
      return !value || row.getAttribute(attribute).split(" ").indexOf(value) >= 0;
    }
    function apply() {
      var v = {};
      controls.forEach(function (control) { v[control.name] = control.value.trim(); });
      var query = (v.q || "").toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = has(row, "data-languages", v.language) && has(row, "data-modalities", v.modality) &&
          (!v.license || row.getAttribute("data-license") === v.license) &&
          (!query || row.cells[0].textContent.toLowerCase().indexOf(query) >= 0);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown === rows.length ? rows.length + " datasets."
        : shown + " of " + rows.length + " datasets shown.";
      var search = new URLSearchParams();
      controls.forEach(function (control) { if (v[control.name]) search.set(control.name, v[control.name]); });
      var url = window.location.pathname + (search.toString() ? "?" + search.toString() : "");
      window.history.replaceState(null, "", url);
    }
    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  document.querySelectorAll("[data-catalogue-table]").forEach(sortable);
  document.querySelectorAll("[data-catalogue]").forEach(filterable);
})();
