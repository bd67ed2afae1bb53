// The map page: the filtered events as circle markers styled by geo precision.
// Marker data comes from json_script; popups are built with DOM nodes, never HTML strings.
(function () {
  "use strict";
  var element = document.getElementById("event-map");
  if (!element || !window.L) return;
  var markers = JSON.parse(document.getElementById("map-markers").textContent);
  var settings = JSON.parse(document.getElementById("map-settings").textContent);

  var map = L.map(element, { scrollWheelZoom: false, worldCopyJump: true });
  // Tiles are decoration: without them (offline, blocked) the markers and frame still show,
  // and a note says why the background is blank.
  var tiles = L.tileLayer(settings.tileUrl, { attribution: settings.attribution, maxZoom: 18 });
  tiles.once("tileerror", function () {
    var note = document.getElementById("map-tiles-note");
    if (note) note.hidden = false;
  });
  tiles.addTo(map);

  // Events at the same coordinates share one marker (a governorate's centre often holds
  // several); its popup lists them all. UCDP geo precision 1–7: the vaguer the place, the
  // larger and fainter the circle; the most precise event of the group decides.
  function style(group) {
    var p = Math.min.apply(null, group.map(function (m) { return m.geo_precision; }));
    var s = p <= 2 ? { radius: 7, fillOpacity: 0.85, weight: 2, color: "#ffffff", dashArray: null }
      : p <= 4 ? { radius: 12, fillOpacity: 0.35, weight: 2, color: "#0b5cad", dashArray: "4 4" }
      : { radius: 16, fillOpacity: 0.12, weight: 1.5, color: "#0b5cad", dashArray: "1 4" };
    s.radius += Math.min(group.length - 1, 6);
    s.fillColor = "#0b5cad";
    if (group.some(function (m) { return m.contested; })) { s.color = "#ea580c"; s.weight = 3; }
    return s;
  }

  function line(parent, text) {
    var div = document.createElement("div");
    div.textContent = text;
    parent.appendChild(div);
  }

  function popup(group) {
    var box = document.createElement("div");
    box.className = "map-popup";
    if (group.length > 1) line(box, group.length + " events at " + group[0].place);
    group.forEach(function (marker) {
      var item = document.createElement("div");
      item.className = "map-popup__event";
      var link = document.createElement("a");
      link.href = marker.url;
      link.textContent = marker.title;
      var title = document.createElement("strong");
      title.appendChild(link);
      item.appendChild(title);
      var facts = [marker.date, marker.type];
      if (marker.fatalities) facts.push(marker.fatalities + " killed");
      if (marker.contested) facts.push("contested");
      line(item, facts.join(" · "));
      if (group.length === 1) line(item, marker.place);
      box.appendChild(item);
    });
    return box;
  }

  var groups = {};
  markers.forEach(function (marker) {
    var key = marker.lat.toFixed(5) + "," + marker.lon.toFixed(5);
    (groups[key] = groups[key] || []).push(marker);
  });
  var layer = L.featureGroup();
  var labels = [];
  Object.keys(groups).forEach(function (key) {
    var group = groups[key];
    var label = group.length > 1 ? group.length + " events at " + group[0].place : group[0].title;
    labels.push(label);
    L.circleMarker([group[0].lat, group[0].lon], style(group))
      .bindPopup(popup(group), { maxHeight: 260 })
      .bindTooltip(label)
      .addTo(layer);
  });
  layer.addTo(map);

  function fit() {
    if (markers.length) {
      map.fitBounds(layer.getBounds(), { padding: [50, 50], maxZoom: 9, animate: false });
    } else {
      map.setView([20, 10], 2);
    }
  }
  fit();

  // Keyboard users reach the markers with Tab and open one with Enter or Space, as with a mouse.
  // (The paths exist once the map has a view, so after fit().)
  layer.getLayers().forEach(function (marker, i) {
    var path = marker.getElement();
    if (!path) return;
    path.setAttribute("tabindex", "0");
    path.setAttribute("role", "button");
    path.setAttribute("aria-label", labels[i] + ": show the events");
    path.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        marker.openPopup();
      }
    });
    path.addEventListener("focus", function () { marker.openTooltip(); });
    path.addEventListener("blur", function () { marker.closeTooltip(); });
  });
  // A phone turned sideways or a resized window: keep every marker in view.
  if (window.ResizeObserver) {
    var width = element.clientWidth;
    new ResizeObserver(function () {
      if (element.clientWidth === width) return;
      width = element.clientWidth;
      map.invalidateSize();
      fit();
    }).observe(element);
  }
  element.classList.add("map--ready");
  element.setAttribute("data-markers", String(Object.keys(groups).length));
})();
