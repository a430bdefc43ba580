/* Behaviour the templates used to write inline (onsubmit=, onclick=, onchange=, <script>):
   the content security policy runs no inline script, so it is declared with data attributes
   and wired here once for every page.

   data-confirm="Question?"  on a form: asked before it submits; on a button or link: before
                             its click does anything.
   data-autosubmit           on a select or input: its form submits when the value changes.
   data-print                on a button: prints the page.
   data-show-on-htmx-error   on a hidden (d-none) element: shown when an htmx request fails. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var asking = target.closest("[data-confirm]:not(form)");
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  function showHtmxFailure() {
    document.querySelectorAll("[data-show-on-htmx-error]").forEach(function (el) {
      el.classList.remove("d-none");
    });
  }
  document.addEventListener("htmx:responseError", showHtmxFailure);
  document.addEventListener("htmx:sendError", showHtmxFailure);
})();
