/*
 * The task list as a workbench: keyboard shortcuts, focus after in-place actions, the bulk
 * selection (shift-click ranges, select all), and keeping the list current.
 *
 * Everything works without this file (forms, <details> menus, a bulk form the checkboxes
 * belong to); it only adds what HTML cannot do. It holds no user-facing words: those are
 * in the templates (data-* attributes, the shortcuts dialog, the server's announcements).
 */
(function () {
  "use strict";

  var RESULTS = "#task-results";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(RESULTS + " [data-task-row]"));
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("[data-task-row]") : null;
  }

  function focusRow(row) {
    if (!row) return;
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(currentRow());
    if (index === -1) index = step > 0 ? 0 : list.length - 1;
    else index = Math.min(list.length - 1, Math.max(0, index + step));
    focusRow(list[index]);
  }

  var NOT_TYPING = ["checkbox", "radio", "button", "submit", "reset"];

  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.matches("input")) return NOT_TYPING.indexOf(target.type) === -1;
    return !!target.closest("textarea, select, [contenteditable], [role=combobox]");
  }

  function openMenu(row, name) {
    var menu = row.querySelector('[data-menu="' + name + '"]');
    if (!menu) return;
    menu.open = true;
    var first = menu.querySelector(".menu__item") || menu.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  }

  function press(row, selector) {
    var button = row && row.querySelector(selector);
    if (!button) return false;
    // A click (not requestSubmit): htmx sends the clicked button's name and value.
    button.click();
    return true;
  }

  // --- Keyboard shortcuts -----------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("shortcuts-dialog");
    if (dialog && dialog.open) return;

    if (event.key === "Escape") {
      var open = document.querySelector(RESULTS + " details.menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
        event.preventDefault();
      }
      return;
    }
    if (event.key === "?") {
      if (dialog) {
        dialog.showModal();
        event.preventDefault();
      }
      return;
    }
    if (event.key === "/") {
      var search = document.getElementById("filter-q");
      if (search) {
        search.focus();
        search.select();
        event.preventDefault();
      }
      return;
    }
    if (event.key === "q") {
      var quick = document.getElementById("quick-add-text");
      if (quick) {
        quick.focus();
        quick.select();
        event.preventDefault();
      }
      return;
    }
    if (event.key === "n") {
      var create = document.querySelector("[data-shortcut-new]");
      if (create) {
        window.location.assign(create.href);
        event.preventDefault();
      }
      return;
    }
    if (!document.querySelector(RESULTS)) return;
    // Arrow keys move between rows only from a row (elsewhere they keep scrolling the page).
    var onRow = !!currentRow();
    var row = currentRow();
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "ArrowDown":
        if (!onRow || event.target.closest("details")) return;
        move(1);
        break;
      case "ArrowUp":
        if (!onRow || event.target.closest("details")) return;
        move(-1);
        break;
      case "x":
        if (!press(row, '[data-action="complete"]')) return;
        break;
      case "s":
        if (!row) return;
        openMenu(row, "snooze");
        break;
      case "a":
        if (!press(row, '[data-action="assign-me"]')) return;
        break;
      case "e":
        var edit = row && row.querySelector('[data-action="edit"]');
        if (!edit) return;
        window.location.assign(edit.href);
        break;
      case "#":
        if (!press(row, '[data-action="delete"]')) return;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-open-shortcuts]");
    if (opener) document.getElementById("shortcuts-dialog").showModal();
  });

  // --- Focus after an in-place action -------------------------------------------------------
  // The pressed button (or its menu, or else its form) says where focus goes once the
  // answer is in: the same row, the next row, or the Undo. The row is swapped whole, so
  // remember its place before the request.

  var pending = null;

  function focusAfter(event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var pressed = (trigger && trigger.submitter) || event.detail.elt;
    var marked = pressed.closest && pressed.closest("[data-focus-after]");
    return marked ? marked.getAttribute("data-focus-after") : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    var row = form.closest && form.closest("[data-task-row]");
    var after = row && focusAfter(event);
    if (!after) return;
    var list = rows();
    pending = {
      id: row.id,
      index: list.indexOf(row),
      after: after,
      next: list[list.indexOf(row) + 1] ? list[list.indexOf(row) + 1].id : null,
    };
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) return;
    var want = pending;
    pending = null;
    // Only where focus was lost with the swapped row: never pull it back from wherever the
    // person went while the answer was on its way (the search, another row, a menu).
    var active = document.activeElement;
    if (active && active !== document.body && !active.closest("#" + CSS.escape(want.id))) return;
    var row = document.getElementById(want.id);
    if (want.after === "undo" && row) {
      var undo = row.querySelector("[data-undo]");
      if (undo) return undo.focus();
    }
    if (want.after === "next") {
      var next = want.next && document.getElementById(want.next);
      if (next) return focusRow(next);
    }
    focusRow(row || rows()[Math.min(want.index, rows().length - 1)]);
  });

  // --- Bulk selection -----------------------------------------------------------------------

  var lastClicked = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(RESULTS + " [data-select-task]"));
  }

  function updateCount() {
    var counter = document.querySelector("[data-selected-count]");
    if (!counter) return;
    var list = boxes();
    var n = list.filter(function (b) { return b.checked; }).length;
    var text = n === 0 ? counter.dataset.none : n === 1 ? counter.dataset.one : counter.dataset.many;
    counter.textContent = text.replace("{n}", String(n));
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = n > 0 && n === list.length;
      all.indeterminate = n > 0 && n < list.length;
    }
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("bulk-bar--active", n > 0);
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest && event.target.closest("[data-select-task]");
    if (!box) return;
    if (event.shiftKey && lastClicked && lastClicked !== box && document.contains(lastClicked)) {
      var list = boxes();
      var from = list.indexOf(lastClicked);
      var to = list.indexOf(box);
      if (from !== -1 && to !== -1) {
        list.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) {
          b.checked = box.checked;
        });
      }
    }
    lastClicked = box;
    updateCount();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-select-all]")) {
      var on = event.target.checked;
      boxes().forEach(function (b) { b.checked = on; });
      updateCount();
    }
  });

  // "x" on a row with a selection is still one task; the bar acts on the selection.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "bulk-form" || !event.detail.successful) return;
    if (event.detail.xhr.getResponseHeader("HX-Trigger")) {
      boxes().forEach(function (b) { b.checked = false; });
      updateCount();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "bulk-notice") {
      var undo = event.detail.target.querySelector("[data-undo]");
      if (undo) undo.focus();
    }
  });

  // --- Staying current ----------------------------------------------------------------------
  // The poll answers 204 while nothing changed. When something did, fetch the list again
  // and keep what the person had: the selection, the focused row and the scroll position.
  // An open menu is never pulled away: the next poll tries again.

  var refreshing = null;

  function refreshList() {
    var results = document.querySelector(RESULTS);
    if (!results || !window.htmx) return;
    if (results.querySelector("details.menu[open]")) return;
    var focused = document.activeElement;
    var focusRowEl = focused && focused.closest ? focused.closest("[data-task-row]") : null;
    refreshing = {
      checked: boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; }),
      rowId: focusRowEl ? focusRowEl.id : null,
      onRow: focusRowEl === focused,
      index: rows().indexOf(focusRowEl),
      inResults: results.contains(focused),
      scroll: window.scrollY,
    };
    // fetch, not htmx.ajax: a refresh cut short by leaving the page is nothing to report.
    fetch(window.location.pathname + window.location.search, {
      headers: {
        "HX-Request": "true",
        "HX-Current-URL": window.location.href,
        "X-List-Refresh": "true",
      },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || !document.contains(results)) {
          refreshing = null;
          return;
        }
        results.innerHTML = html;
        window.htmx.process(results);
        restoreAfterRefresh();
      })
      .catch(function () {
        refreshing = null;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("tasks-changed", refreshList);
    var opener = document.querySelector("[data-open-shortcuts]");
    if (opener) opener.hidden = false;
    var all = document.querySelector("[data-select-all-label]");
    if (all) all.hidden = false;
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.add("bulk-bar--js");
    updateCount();
  });

  function restoreAfterRefresh() {
    if (!refreshing) return;
    var kept = refreshing;
    refreshing = null;
    boxes().forEach(function (b) { b.checked = kept.checked.indexOf(b.value) !== -1; });
    updateCount();
    window.scrollTo(0, kept.scroll);
    if (kept.inResults) {
      var row = kept.rowId && document.getElementById(kept.rowId);
      if (!row) row = rows()[Math.min(Math.max(kept.index, 0), rows().length - 1)];
      if (row) row.focus({ preventScroll: true });
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "task-results") updateCount();
  });
})();

// Quick add (docs/quick_add.md): Escape clears the line, ↓ reaches the candidates of a
// question, the arrow keys move among them and Enter or Space picks one; the line keeps
// the focus after a pick. The preview and saving are htmx's.
(function () {
  "use strict";

  function input() {
    return document.getElementById("quick-add-text");
  }

  function choices() {
    return Array.prototype.slice.call(document.querySelectorAll("#quick-add [data-quick-choice]"));
  }

  document.addEventListener("keydown", function (event) {
    var line = input();
    if (!line || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target === line) {
      if (event.key === "Escape") {
        line.value = "";
        var preview = document.getElementById("quick-add-preview");
        if (preview) preview.replaceChildren();
        event.preventDefault();
      } else if (event.key === "ArrowDown" && choices().length) {
        choices()[0].focus();
        event.preventDefault();
      }
      return;
    }
    var list = choices();
    var at = list.indexOf(event.target);
    if (at === -1) return;
    if (event.key === "ArrowDown" || event.key === "ArrowRight") {
      list[Math.min(at + 1, list.length - 1)].focus();
    } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
      (at === 0 ? line : list[at - 1]).focus();
    } else if (event.key === "Escape") {
      line.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  // A preview answered while a candidate has the focus (the answer to Enter arriving
  // after ↓) replaces it: the same candidate, if the new preview has it, keeps the focus.
  var chosen = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "quick-add-preview") return;
    var focused = document.activeElement;
    chosen = focused && choices().indexOf(focused) !== -1 ? focused.value : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "quick-add-preview") return;
    var focused = document.activeElement;
    if (!focused || focused === document.body || !document.contains(focused)) {
      var again = choices().filter(function (choice) {
        return chosen !== null && choice.value === chosen;
      })[0];
      var line = input();
      if (again) again.focus();
      else if (line) line.focus();
    }
    chosen = null;
  });

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-quick-preview-button]");
    if (button) button.hidden = true;
  });
})();
