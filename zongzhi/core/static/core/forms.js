// A text box with a limit shows how much of it is used while typing, so that nobody
// learns the limit only after sending (the box's maxlength stops typing at the limit).
// The counter sits beside the box, in the field's own wrapper (.field): a page may hold
// several forms whose fields share a name (and so an id).
(function () {
  function show(counter) {
    var field = counter.closest(".field");
    var box = field && field.querySelector("textarea, input");
    if (!box) return;
    if (!counter.dataset.label) counter.dataset.label = counter.textContent;
    counter.textContent = counter.dataset.label + "（" + box.value.length + " / " + counter.dataset.max + "）";
  }
  function all() { document.querySelectorAll("[data-counter]").forEach(show); }
  document.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest(".field");
    var counter = field && field.querySelector("[data-counter]");
    if (counter) show(counter);
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSwap", all);
})();

// A file over the size limit is named beside its box before anything is sent: on a
// phone's connection, twenty megabytes sent only to be refused is a long wait.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[type=file][data-max-bytes]")) return;
  var limit = Number(box.dataset.maxBytes);
  var over = Array.prototype.filter.call(box.files, function (f) { return f.size > limit; });
  var message = over.map(function (f) { return "“" + f.name + "”" + box.dataset.tooBig; }).join(" ");
  box.setCustomValidity(message);
  var note = box.parentElement.querySelector("small.too-big");
  if (!note) {
    note = document.createElement("small");
    note.className = "errorlist too-big";
    note.setAttribute("role", "alert");
    box.insertAdjacentElement("afterend", note);
  }
  note.textContent = message;
});

// A "back" link (data-back) goes back in the browser's history, where the typed form
// usually still is; a javascript: address would be refused by the Content-Security-Policy.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-back]");
  if (!link) return;
  event.preventDefault();
  history.back();
});
