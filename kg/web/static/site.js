// Article page: the claims panel. Select a highlighted passage (click, or Enter/Space on it) to
// list its claims, innermost span and worst verdict first; #char=b,e selects that span. Keyboard:
// Tab reaches the text at one passage; arrow keys, Home and End move between passages; Escape
// in the panel returns to the passage. On narrow screens the panel is a sheet at the bottom.
(function () {
  "use strict";
  var text = document.getElementById("article-text");
  if (!text) return;
  var panel = document.getElementById("span-claims");
  var list = panel.querySelector(".panel-claims");
  var heading = document.getElementById("span-claims-title");
  var empty = panel.querySelector(".empty");
  var closer = panel.querySelector(".panel-close");
  var marks = Array.prototype.slice.call(text.querySelectorAll("mark.span"));
  var current = null;

  // Without this script every claim is listed under the text; with it, only the selected ones.
  panel.classList.add("js-panel");
  list.querySelectorAll(".span-claim").forEach(function (li) { li.hidden = true; });
  empty.hidden = false;
  closer.hidden = false;
  heading.textContent = "Claims of the selected passage";
  marks.forEach(function (m, i) { m.tabIndex = i === 0 ? 0 : -1; });

  function rove(mark) {
    marks.forEach(function (m) { m.tabIndex = m === mark ? 0 : -1; });
  }

  function showClaims(mark, focusPanel) {
    var ids = mark.dataset.claims.split(" ");
    list.querySelectorAll(".span-claim").forEach(function (li) { li.hidden = true; });
    ids.forEach(function (id) {
      var li = document.getElementById(id);
      if (li) {
        list.appendChild(li); // in the passage's order: innermost span, worst verdict first
        li.hidden = false;
      }
    });
    empty.hidden = true;
    marks.forEach(function (m) { m.classList.remove("selected"); m.removeAttribute("aria-current"); });
    mark.classList.add("selected");
    mark.setAttribute("aria-current", "true");
    current = mark;
    rove(mark);
    panel.classList.add("open");
    panel.scrollTop = 0;
    if (window.getComputedStyle(panel).position === "fixed") {
      // A sheet over the bottom of a phone's screen: keep the chosen words in view above it.
      var top = mark.getBoundingClientRect().top;
      if (top > window.innerHeight * 0.3) window.scrollBy(0, top - 60);
    }
    if (focusPanel) heading.focus({ preventScroll: true });
  }

  function close() {
    panel.classList.remove("open");
    if (current) current.focus();
  }

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
      if (mark) showClaims(mark, false);
    }
  }

  function fromHash() {
    var m = /^#char=(\d+),(\d+)$/.exec(window.location.hash);
    if (m) highlight(Number(m[1]), Number(m[2]));
  }

  text.addEventListener("click", function (ev) {
    var mark = ev.target.closest("mark.span");
    if (mark) showClaims(mark, false);
  });
  text.addEventListener("keydown", function (ev) {
    var mark = ev.target.closest("mark.span");
    if (!mark) return;
    var i = marks.indexOf(mark), next = null;
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      showClaims(mark, true);
      return;
    }
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = marks[Math.min(i + 1, marks.length - 1)];
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = marks[Math.max(i - 1, 0)];
    else if (ev.key === "Home") next = marks[0];
    else if (ev.key === "End") next = marks[marks.length - 1];
    if (next) {
      ev.preventDefault();
      rove(next);
      next.focus();
    }
  });
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    }
  });
  closer.addEventListener("click", close);
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
