/* coopdata serve: the SPARQL editor's keyboard and the example queries. No network
   access: the examples are in the page, the query is sent by the form itself. */
(function () {
  "use strict";
  var area = document.getElementById("query");
  var form = document.getElementById("query-form");
  if (!area || !form) { return; }
  var INDENT = "  ";
  var released = false;  // Esc was pressed: the next Tab leaves the editor

  function replace(start, end, text, selStart, selEnd) {
    area.focus();
    area.setSelectionRange(start, end);
    // insertText keeps the browser's undo history; setRangeText where it is refused
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      area.setRangeText(text, start, end, "end");
    }
    area.setSelectionRange(selStart, selEnd);
  }

  function indent(outdent) {
    var value = area.value, from = area.selectionStart, to = area.selectionEnd;
    var start = value.lastIndexOf("\n", from - 1) + 1;
    if (!outdent && value.slice(from, to).indexOf("\n") < 0) {
      replace(from, to, INDENT, from + INDENT.length, from + INDENT.length);
      return;
    }
    var end = value.indexOf("\n", to > from && value[to - 1] === "\n" ? to - 1 : to);
    if (end < 0) { end = value.length; }
    var lines = value.slice(start, end).split("\n"), first = 0, total = 0;
    lines = lines.map(function (line, n) {
      var changed = outdent ? line.replace(/^ {1,2}/, "") : INDENT + line;
      if (n === 0) { first = changed.length - line.length; }
      total += changed.length - line.length;
      return changed;
    });
    replace(start, end, lines.join("\n"), Math.max(start, from + first), to + total);
  }

  area.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (event.key === "Escape") { released = true; return; }
    if (event.key === "Tab" && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (released) { released = false; return; }  // the browser moves the focus
      event.preventDefault();
      indent(event.shiftKey);
      return;
    }
    released = false;
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
      var value = area.value, at = area.selectionStart;
      var line = value.slice(value.lastIndexOf("\n", at - 1) + 1, at);
      var kept = (/^[ \t]*/.exec(line) || [""])[0];
      if (kept) {
        event.preventDefault();
        var text = "\n" + kept;
        replace(at, area.selectionEnd, text, at + text.length, at + text.length);
      }
    }
  });

  var data = document.getElementById("examples-data");
  var select = document.getElementById("example");
  if (data && select) {
    var examples = JSON.parse(data.textContent || "{}");
    var load = document.querySelector("form.examples button.load");
    if (load) { load.hidden = true; }  // the choice loads at once
    select.addEventListener("change", function () {
      if (!Object.prototype.hasOwnProperty.call(examples, select.value)) { return; }
      area.value = examples[select.value];
      area.focus();
      area.setSelectionRange(0, 0);
      area.scrollTop = 0;
    });
  }
}());
