// Accord's only script, written for this app (no libraries): the statement inspector on document pages
// and scrolling each source excerpt to its highlighted sentence. Pages work without it.
(function () {
  "use strict";

  function scrollExcerpts() {
    document.querySelectorAll(".excerpt").forEach(function (box) {
      var mark = box.querySelector("mark");
      // .excerpt is position: relative, so offsetTop is measured inside the box
      if (mark && mark.offsetTop + mark.offsetHeight > box.clientHeight) { box.scrollTop = mark.offsetTop - 48; }
    });
  }

  function inspector() {
    var panel = document.getElementById("inspector");
    var text = document.getElementById("doctext");
    if (!panel || !text) { return; }
    var body = panel.querySelector(".inspector-body");
    var selected = null;

    function show(st) {
      var info = document.getElementById(st.getAttribute("data-info"));
      if (!info) { return; }
      if (selected) { selected.classList.remove("selected"); }
      selected = st;
      st.classList.add("selected");
      var heading = document.createElement("h2");
      heading.textContent = info.querySelector("summary .badge").textContent;
      var content = info.querySelector(".info-body").cloneNode(true);
      body.replaceChildren(heading, content);
      panel.hidden = false;
    }

    function hide() {
      panel.hidden = true;
      if (selected) { selected.classList.remove("selected"); selected = null; }
    }

    text.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      var st = event.target.closest(".st");
      if (st) { show(st); }
    });
    text.addEventListener("keydown", function (event) {
      var st = event.target.closest(".st");
      if (st && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); show(st); }
    });
    panel.querySelector(".close").addEventListener("click", hide);
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { hide(); } });

    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.classList.contains("st")) { show(target); }
  }

  document.addEventListener("DOMContentLoaded", function () { scrollExcerpts(); inspector(); });
})();
