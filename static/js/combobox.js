/*
 * Autocomplete comboboxes (WAI-ARIA combobox pattern, list autocomplete).
 *
 * htmx does the fetching: the input asks GET /search/<kind>?q=… and swaps the answer into
 * its listbox. This script does the rest: opening and closing the listbox, the keyboard
 * (Down/Up move, Enter picks, Escape closes, then clears), picking by mouse, and the chip
 * that shows the picked record and fills the hidden *_id field. Focus stays in the input
 * while the list is open; aria-activedescendant names the active option.
 *
 * Markup (templates/tasks/_combobox.html):
 *   [data-combobox]
 *     input[type=hidden][data-combobox-value]   the picked id (contact_id …)
 *     [data-combobox-chip]                      the picked record, with [data-combobox-clear]
 *     [data-combobox-field]
 *       input[role=combobox][data-combobox-input]
 *       ul[role=listbox]
 *     [data-combobox-status]                    a live region: "3 suggestions"
 *     [data-combobox-candidates]                radio buttons after an ambiguous name
 *
 * No inline scripts or handlers anywhere: everything is delegated from document.
 */
(function () {
  "use strict";

  // What the script says, in the page's language (<body data-texts>, app/web/helpers.py).
  function say(key, fallback) {
    try { return JSON.parse(document.body.dataset.texts || "{}")[key] || fallback; }
    catch (e) { return fallback; }
  }

  function parts(el) {
    var root = el.closest("[data-combobox]");
    if (!root) return null;
    var input = root.querySelector("[data-combobox-input]");
    return {
      root: root,
      input: input,
      listbox: document.getElementById(input.getAttribute("aria-controls")),
      value: root.querySelector("[data-combobox-value]"),
      chip: root.querySelector("[data-combobox-chip]"),
      field: root.querySelector("[data-combobox-field]"),
      status: root.querySelector("[data-combobox-status]"),
    };
  }

  function options(c) {
    return Array.prototype.slice.call(c.listbox.querySelectorAll('[role="option"]'));
  }

  function pickable(c) {
    return options(c).filter(function (o) { return o.getAttribute("aria-disabled") !== "true"; });
  }

  function isOpen(c) {
    return c.input.getAttribute("aria-expanded") === "true";
  }

  function announce(c, text) {
    if (c.status) c.status.textContent = text;
  }

  function open(c) {
    if (!options(c).length) return close(c);
    c.listbox.hidden = false;
    c.input.setAttribute("aria-expanded", "true");
  }

  function close(c) {
    c.listbox.hidden = true;
    c.input.setAttribute("aria-expanded", "false");
    setActive(c, null);
  }

  function setActive(c, option) {
    options(c).forEach(function (o) {
      var on = o === option;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("is-active", on);
    });
    if (option) {
      c.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      c.input.removeAttribute("aria-activedescendant");
    }
  }

  function active(c) {
    var id = c.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function move(c, step) {
    var list = pickable(c);
    if (!list.length) return;
    if (!isOpen(c)) open(c);
    var index = list.indexOf(active(c));
    if (index === -1) index = step > 0 ? 0 : list.length - 1;
    else index = (index + step + list.length) % list.length;
    setActive(c, list[index]);
  }

  function showChip(c, label, context) {
    c.chip.querySelector("[data-chip-label]").textContent = label;
    c.chip.querySelector("[data-chip-context]").textContent = context || "";
    c.chip.querySelector("[data-combobox-clear]").setAttribute(
      "aria-label", say("remove", "Remove {label}").replace("{label}", label));
    c.chip.hidden = false;
    c.field.hidden = true;
  }

  function pick(c, option) {
    if (!option || option.getAttribute("aria-disabled") === "true") return;
    var label = option.getAttribute("data-label");
    c.value.disabled = false;
    c.value.value = option.getAttribute("data-id");
    // The picked id replaces whatever was typed: the name must not be resolved as well.
    c.input.value = "";
    var candidates = c.root.querySelector("[data-combobox-candidates]");
    if (candidates) candidates.remove();
    close(c);
    c.listbox.innerHTML = "";
    showChip(c, label, option.getAttribute("data-context"));
    announce(c, label + " picked");
    focusNextField(c);
  }

  // After a pick, on to the next field of the form (not the chip's remove button).
  function focusNextField(c) {
    var form = c.root.closest("form");
    var fields = form
      ? Array.prototype.slice.call(
          form.querySelectorAll("input:not([type=hidden]), select, textarea, button, a[href], summary")
        )
      : [];
    var next = fields.find(function (el) {
      return (
        !c.root.contains(el) &&
        (c.root.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) &&
        !el.disabled &&
        el.getClientRects().length > 0
      );
    });
    (next || c.chip.querySelector("[data-combobox-clear]")).focus();
  }

  function clear(c) {
    c.value.value = "";
    c.chip.hidden = true;
    c.field.hidden = false;
    announce(c, say("linkRemoved", "Link removed"));
    c.input.focus();
  }

  // Typing again after Escape lets the list open again.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-combobox-input]")) {
      input.removeAttribute("data-dismissed");
    }
  });

  // htmx sends the input's own name (contact_name …); the endpoint reads q.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches("[data-combobox-input]")) return;
    var params = event.detail.parameters;
    if (input.name) delete params[input.name];
    params.q = input.value;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.detail.target;
    if (!listbox || listbox.getAttribute("role") !== "listbox") return;
    var input = document.querySelector('[aria-controls="' + listbox.id + '"]');
    var c = input && parts(input);
    if (!c) return;
    setActive(c, null); // new options: nothing is active until the keyboard says so
    var count = pickable(c).length;
    if (!c.input.value.trim()) {
      close(c);
      announce(c, "");
      return;
    }
    if (document.activeElement === c.input && !c.input.hasAttribute("data-dismissed")) open(c);
    announce(c, count === 0 ? say("noMatches", "No matches")
      : count === 1 ? say("oneSuggestion", "1 suggestion")
      : say("suggestions", "{n} suggestions").replace("{n}", count));
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-combobox-input]")) return;
    var c = parts(input);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        input.removeAttribute("data-dismissed");
        if (event.altKey) open(c); // Alt+Down opens the list without moving into it
        else move(c, 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        move(c, -1);
        break;
      case "Enter":
        if (isOpen(c)) {
          // With the list open, Enter picks the active suggestion, else the first one; it
          // never submits the form.
          event.preventDefault();
          var chosen = active(c) || pickable(c)[0];
          if (chosen) pick(c, chosen);
          else close(c);
        }
        break;
      case "Escape":
        // Closes the list, and keeps it closed when an answer still on its way arrives.
        // It never clears the text: a typed name is submitted as typed.
        c.input.setAttribute("data-dismissed", "");
        if (isOpen(c)) {
          event.preventDefault();
          close(c);
        }
        break;
      default:
        break;
    }
  });

  // Keep focus in the input while the mouse presses an option, then pick on click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest('[data-combobox] [role="listbox"]')) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var option = event.target.closest('[data-combobox] [role="option"]');
    if (option) {
      pick(parts(option), option);
      return;
    }
    var remove = event.target.closest("[data-combobox-clear]");
    if (remove) clear(parts(remove));
  });

  // Close a list when focus leaves its input (but not when moving onto the list itself).
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-combobox-input]")) return;
    var c = parts(input);
    window.setTimeout(function () {
      if (document.activeElement !== c.input) close(c);
    }, 0);
  });

  // Reopen a list that already has options when the input is focused again.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-combobox-input]")) return;
    var c = parts(input);
    if (input.value.trim() && pickable(c).length) open(c);
  });
})();
