// The map page: the filtered events as circle markers styled by geo precision.
// Marker data comes from json_script; popups are built with DOM nodes, never HTML strings.
(function () {
  "use strict";
  var element = document.getElementById("event-map");
  if (!element || !window.L) return;
  var markers = JSON.parse(document.getElementById("map-markers").textContent);
  var settings = JSON.parse(document.getElementById("map-settings").textContent);

  var map = L.map(element, { scrollWheelZoom: false, worldCopyJump: true });
  // Tiles are decoration: without them (offline, blocked) the markers and frame still show.
  L.tileLayer(settings.tileUrl, { attribution: settings.attribution, maxZoom: 18 }).addTo(map);

  // UCDP geo precision 1–7: the vaguer the place, the larger and fainter the circle.
  function style(marker) {
    var p = marker.geo_precision;
    var s = p <= 2 ? { radius: 7, fillOpacity: 0.85, weight: 2, color: "#ffffff", dashArray: null }
      : p <= 4 ? { radius: 12, fillOpacity: 0.35, weight: 2, color: "#0b5cad", dashArray: "4 4" }
      : { radius: 16, fillOpacity: 0.12, weight: 1.5, color: "#0b5cad", dashArray: "1 4" };
    s.fillColor = "#0b5cad";
    if (marker.contested) { s.color = "#ea580c"; s.weight = 3; }
    return s;
  }

  function popup(marker) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.title;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    var lines = [marker.date + " · " + marker.type, marker.place];
    if (marker.fatalities) lines.push(marker.fatalities + " killed");
    if (marker.contested) lines.push("Contested");
    lines.forEach(function (text) {
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  var layer = L.featureGroup();
  markers.forEach(function (marker) {
    L.circleMarker([marker.lat, marker.lon], style(marker))
      .bindPopup(popup(marker))
      .bindTooltip(marker.title)
      .addTo(layer);
  });
  layer.addTo(map);
  if (markers.length) {
    map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 9 });
  } else {
    map.setView([20, 10], 2);
  }
  element.classList.add("map--ready");
  element.setAttribute("data-markers", String(markers.length));
})();
