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

  var messages = {
    403: "You don't have permission to do that.",
    404: "That task no longer exists. Reload the page to see the current list.",
    409: "Someone else changed this at the same time. Reload and try again.",
    429: "Too many requests. Wait a moment and try again.",
    503: "The database can't be reached right now. Try again shortly."
  };

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(messages[status] || "That didn't work (error " + status + "). Reload the page and try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    announce("The server can't be reached. Check your connection and try again.");
  });
})();
