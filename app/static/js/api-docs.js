// The API reference page (/api/docs): Redoc renders the generated OpenAPI document.
(function () {
  var el = document.getElementById("redoc");
  Redoc.init(el.getAttribute("data-spec-url"), {
    hideDownloadButton: false, expandResponses: "200,201", jsonSampleExpandLevel: 3, sortTagsAlphabetically: true
  }, el);
})();
