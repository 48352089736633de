// Starts Swagger UI on /docs. A file rather than the inline script @hono/swagger-ui writes by
// default, so /docs runs under `script-src 'self'`; the document's URL comes from a data attribute.
const root = document.getElementById("swagger-ui");
if (matchMedia("(prefers-color-scheme: dark)").matches) document.documentElement.classList.add("dark-mode");
window.ui = SwaggerUIBundle({
  url: root.dataset.url,
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The default validator badge loads an image from validator.swagger.io: nothing may leave the gateway.
  validatorUrl: null,
  displayRequestDuration: true,
  persistAuthorization: false,
});
