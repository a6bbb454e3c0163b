// Small page behaviours that must not need inline script or eval (the CSP allows neither).
// data-row-index="SELECTOR": an htmx request from this element sends i = how many rows match
// SELECTOR (the index of the form row it adds). data-print: the link prints the page.
document.addEventListener('htmx:configRequest', function (e) {
  var sel = e.detail.elt.getAttribute('data-row-index');
  if (sel) { e.detail.parameters.i = document.querySelectorAll(sel).length; }
});
document.addEventListener('click', function (e) {
  var link = e.target.closest && e.target.closest('[data-print]');
  if (link) { e.preventDefault(); window.print(); }
});
// data-nav-toggle: on a narrow screen the top navigation folds behind a menu button.
document.addEventListener('click', function (e) {
  var btn = e.target.closest && e.target.closest('[data-nav-toggle]');
  if (!btn) { return; }
  var open = btn.getAttribute('aria-expanded') !== 'true';
  btn.setAttribute('aria-expanded', open ? 'true' : 'false');
  btn.closest('header').classList.toggle('nav-open', open);
});
