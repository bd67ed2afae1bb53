// On narrow screens the filter panel starts folded, so the events come first; its summary
// names the filters in use, and it stays open while a filter needs correcting.
// Without JavaScript it simply stays open.
(function () {
  "use strict";
  var panel = document.querySelector("details[data-fold-narrow]");
  if (!panel || panel.hasAttribute("data-active")) return;
  var wide = window.matchMedia("(min-width: 60rem)");
  function fit() { panel.open = wide.matches; }
  fit();
  wide.addEventListener("change", fit);
})();
