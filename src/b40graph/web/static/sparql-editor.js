// The query page's editor: YASQE (from the vendored YASGUI bundle) over the form's textarea, with syntax
// highlighting and checking, and completion of this dataset's prefixes (/sparql/prefixes.json). The form
// still sends the query, so the results (table, chart, map) and errors are the server's, as without scripts.
// Nothing is fetched from anywhere but this server: no endpoint catalogue, no prefix.cc, no LOV.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var area = form && form.querySelector("textarea[name=query]");
  var Yasqe = window.Yasqe || (window.Yasgui && window.Yasgui.Yasqe);
  if (!area || typeof Yasqe !== "function") return; // the plain form stays

  function run() {
    area.value = yasqe.getValue();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  var holder = document.createElement("div");
  holder.className = "editor";
  area.parentNode.insertBefore(holder, area);
  var yasqe = new Yasqe(holder, {
    value: area.value,
    persistenceId: null, // the page's query, not one kept in localStorage
    consumeShareLink: null,
    createShareableLink: null,
    showQueryButton: false, // "Run query" submits the form
    editorHeight: "20rem",
    autocompleters: ["prefixes", "variables"], // "classes" and "properties" would ask LOV, on the internet
    prefixCcApi: new URL(form.getAttribute("data-prefixes"), location.href).href,
    requestConfig: { endpoint: new URL(form.getAttribute("action"), location.href).href, method: "POST" },
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run },
  });
  area.hidden = true; // stays in the form: it carries the query
  var input = yasqe.getInputField();
  input.setAttribute("aria-label", "SPARQL query (Ctrl-Enter runs it)");
  if (area.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", area.getAttribute("aria-describedby"));
  // the editor's scrolling area is reached with the keyboard too (axe: scrollable-region-focusable)
  var scroller = yasqe.getScrollerElement();
  scroller.setAttribute("tabindex", "0");
  scroller.setAttribute("aria-label", "SPARQL query editor");
  yasqe.on("change", function () { area.value = yasqe.getValue(); });
  form.addEventListener("submit", function () { area.value = yasqe.getValue(); });

  // After an error, put the cursor where the parser stopped.
  var error = document.getElementById("query-error");
  if (error && error.dataset.line) {
    var line = Number(error.dataset.line) - 1, ch = Math.max(0, Number(error.dataset.column || 1) - 1);
    yasqe.getDoc().setCursor({ line: line, ch: ch });
    yasqe.addLineClass(line, "background", "error-line");
  }
})();
