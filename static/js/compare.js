// Progressive enhancement of the directory's compare tray (the page works without it): cards of providers
// already on the shortlist show a ticked box, and unticking one leaves it out of the comparison.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("compare-form");
  if (!form) return;
  form.querySelectorAll('input[type="hidden"][name="p"]').forEach(function (kept) {
    var box = document.querySelector('input[type="checkbox"][name="p"][value="' + CSS.escape(kept.value) + '"]');
    if (!box) return;
    box.checked = true;
    kept.disabled = true; // the ticked box sends the slug now; unticking it drops the provider
  });
});
