// Copy buttons: <button data-copy="ID" hidden> copies the value of the field with that id.
// The button is shown only when this script runs, so without JavaScript nobody sees a
// button that does nothing (the field is still there to select and copy by hand).
(function () {
  "use strict";

  function fallbackCopy(field) {
    // Outside a secure context there is no Clipboard API: select the text and copy that.
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var status = document.getElementById(field.id.replace(/-secret$/, "") + "-copied");
    function say(text) {
      if (status) status.textContent = text;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(field.value)
        : (fallbackCopy(field) ? Promise.resolve() : Promise.reject());
      copied.then(
        function () { say(button.dataset.copied || "Copied to the clipboard."); },
        function () {
          field.focus();
          field.select();
          say(button.dataset.copyFailed ||
            "Copying did not work: the key is selected, press Ctrl+C (⌘C on a Mac).");
        }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(setUp);
  });
})();
