// A text box with a limit shows how much of it is used while typing, so that nobody
// learns the limit only after sending (the box's maxlength stops typing at the limit).
(function () {
  function show(counter) {
    var box = document.getElementById(counter.dataset.counter);
    if (!box) return;
    if (!counter.dataset.label) counter.dataset.label = counter.textContent;
    counter.textContent = counter.dataset.label + "（" + box.value.length + " / " + counter.dataset.max + "）";
  }
  function all() { document.querySelectorAll("[data-counter]").forEach(show); }
  document.addEventListener("input", function (event) {
    var id = event.target && event.target.id;
    if (!id) return;
    document.querySelectorAll('[data-counter="' + id + '"]').forEach(show);
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSwap", all);
})();
