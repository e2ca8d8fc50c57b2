// Progressive enhancement of the directory's compare tray (the page works without it): cards of providers
// already on the shortlist show a ticked box, unticking one leaves it out of the comparison, and the
// "compare selected" button is disabled while there is nothing to compare (without this script it leads to the
// comparison's empty state, which says how to pick providers).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("compare-form");
  if (!form) return;
  form.querySelectorAll('input[type="hidden"][name="p"]').forEach(function (kept) {
    var box = document.querySelector('input[type="checkbox"][name="p"][value="' + CSS.escape(kept.value) + '"]');
    if (!box) return;
    box.checked = true;
    kept.disabled = true; // the ticked box sends the slug now; unticking it drops the provider
  });

  var submit = form.querySelector(".compare-tray__submit");
  if (!submit) return;
  function update() {
    // What the form would send: ticked boxes, plus shortlisted providers whose card is not on this page.
    var selected = Array.prototype.some.call(form.elements, function (field) {
      return field.name === "p" && !field.disabled && (field.type === "hidden" || field.checked);
    });
    submit.disabled = !selected;
  }
  document.addEventListener("change", function (event) {
    if (event.target.form === form && event.target.name === "p") update();
  });
  update();
});
