// When an htmx request fails, say so in the notices area instead of silently doing nothing.
// htmx 2 does not swap 4xx/5xx answers, and a dropped connection fires no swap at all.
(function () {
  "use strict";

  function announce(text) {
    var notices = document.getElementById("notices");
    if (!notices) return;
    var notice = document.createElement("div");
    notice.className = "notice notice--error";
    notice.textContent = text;
    notices.replaceChildren(notice);
  }

  // The words come from the page, in its language (<body data-texts>, app/web/helpers.py).
  function texts() {
    try { return JSON.parse(document.body.dataset.texts || "{}"); } catch (e) { return {}; }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var t = texts();
    var text = t["error" + status] ||
      (t.errorOther || "That didn't work (error {status}). Reload the page and try again.");
    announce(text.replace("{status}", status));
  });

  document.addEventListener("htmx:sendError", function () {
    announce(texts().offline || "The server can't be reached. Check your connection and try again.");
  });
})();
