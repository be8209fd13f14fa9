// On a phone every table in the page shows one card per row (style.css); each cell carries
// the name of its column there, copied here from the table's header into data-label, so no
// template has to repeat its headers. Without this script the cards show no column names.
// A separate file: the page's Content-Security-Policy allows no inline script.
"use strict";
(function () {
  function columnNames(table) {
    var header = table.tHead && table.tHead.rows[0];
    var names = [];
    if (!header) {
      return names;
    }
    Array.prototype.forEach.call(header.cells, function (cell) {
      // a header only read aloud (the column of a row's buttons) names nothing on screen
      var name = cell.querySelector(".sr") ? "" : cell.textContent.trim();
      for (var i = 0; i < cell.colSpan; i += 1) {
        names.push(name);
      }
    });
    return names;
  }

  document.querySelectorAll("main table").forEach(function (table) {
    var names = columnNames(table);
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var name = names[column];
          if (cell.tagName === "TD" && cell.colSpan === 1 && name && !cell.dataset.label) {
            cell.dataset.label = name;
          }
          column += cell.colSpan;
        });
      });
    });
  });
})();

// A table wider than its box scrolls inside it (.table-scroll, style.css): the box is made a
// stop of the Tab key then, so the arrow keys can scroll it, and named after the table's
// caption or the heading above it (WCAG 2.1.1; axe: scrollable-region-focusable).
(function () {
  function nameOf(box) {
    var caption = box.querySelector("caption");
    var heading = box.previousElementSibling;
    if (caption) {
      return caption.textContent.trim();
    }
    return heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent.trim() : "";
  }

  function markScrolling() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var name = nameOf(box);
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        if (name) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", name);
        }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  markScrolling();
  window.addEventListener("resize", markScrolling);
})();
