// Progressive enhancement of the directory's filter form (it works without this script, with its button):
// a changed box or list applies the filters at once, and the filter panel is open on wide screens, where it
// sits beside the results; on phones it stays folded so the first result is in view.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("directory-filters");
  if (!form) return;
  var panel = document.getElementById("filter-panel");
  var wide = window.matchMedia("(min-width: 801px)");
  function fit() {
    if (panel && wide.matches) panel.open = true;
  }
  fit();
  wide.addEventListener("change", fit);

  form.addEventListener("change", function (event) {
    var field = event.target;
    if (field.form !== form || !form.hasAttribute("data-apply-on-change")) return;
    // Text boxes apply on Enter or when they lose focus (their change event), selects and boxes at once.
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });
});
