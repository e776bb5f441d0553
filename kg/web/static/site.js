// Article page: highlight the span named by #char=b,e and show the claims of a clicked passage.
(function () {
  "use strict";
  var text = document.getElementById("article-text");
  if (!text) return;
  var panel = document.getElementById("span-claims");

  function highlight(b, e) {
    var first = null;
    text.querySelectorAll(".target").forEach(function (el) { el.classList.remove("target"); });
    text.querySelectorAll("[data-b]").forEach(function (el) {
      var sb = Number(el.dataset.b), se = Number(el.dataset.e);
      if (sb < e && se > b) {
        el.classList.add("target");
        if (!first) first = el;
      }
    });
    if (first) {
      first.scrollIntoView({ block: "center" });
      var mark = first.closest("mark.span") || text.querySelector("mark.span.target");
      if (mark) showClaims(mark);
    }
  }

  function fromHash() {
    var m = /^#char=(\d+),(\d+)$/.exec(window.location.hash);
    if (m) highlight(Number(m[1]), Number(m[2]));
  }

  function showClaims(mark) {
    var ids = mark.dataset.claims.split(" ");
    panel.querySelectorAll(".span-claim").forEach(function (li) {
      li.hidden = ids.indexOf(li.dataset.claim) < 0;
    });
    panel.querySelector(".empty").hidden = true;
    text.querySelectorAll("mark.selected").forEach(function (el) { el.classList.remove("selected"); });
    mark.classList.add("selected");
  }

  text.addEventListener("click", function (ev) {
    var mark = ev.target.closest("mark.span");
    if (mark) showClaims(mark);
  });
  text.addEventListener("keydown", function (ev) {
    var mark = ev.target.closest("mark.span");
    if (mark && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      showClaims(mark);
    }
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
