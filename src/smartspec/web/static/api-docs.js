// The API docs page: Swagger UI over the server's OpenAPI description, in place of the plain list of endpoints
// (which stays for readers without JavaScript). Its files come from the swagger-ui-bundle-v2 package.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({ url: root.getAttribute("data-openapi"), dom_id: "#swagger-ui", deepLinking: true });
  var list = document.getElementById("endpoints");
  if (list) {
    list.hidden = true;
  }
})();
