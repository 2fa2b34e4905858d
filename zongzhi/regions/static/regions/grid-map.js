// Draws the grid polygons of a village on a plain background: no map tiles, so the page
// needs nothing from the internet.
(function () {
  var el = document.getElementById("grid-map");
  var data = document.getElementById("grid-features");
  if (!el || !data || !window.L) return;
  var features = JSON.parse(data.textContent);
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  var layer = L.geoJSON(features, {
    style: { color: "#1565c0", weight: 1.5, fillOpacity: 0.12 },
    onEachFeature: function (feature, lyr) {
      lyr.bindTooltip(feature.properties.name, { sticky: true });
      lyr.on("click", function () { window.location.href = "../" + feature.properties.code + "/"; });
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [8, 8] });
})();
