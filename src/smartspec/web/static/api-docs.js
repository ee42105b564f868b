// Swagger UI over the server's OpenAPI description (/api/v1/docs/swagger). Its files come from the
// swagger-ui-bundle-v2 package; the accessible list of endpoints is /api/v1/docs.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({ url: root.getAttribute("data-openapi"), dom_id: "#swagger-ui", deepLinking: true });
})();
