// Sends the page's CSRF token with every htmx request: the hub refuses a POST without it.
// (Plain forms carry it as a hidden csrf_token field instead.)
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
