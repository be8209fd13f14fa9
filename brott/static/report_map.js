// The public report pages (templates/public_reports/): the map that fills in a point, and a
// character counter under long texts. A separate file: the Content-Security-Policy allows no
// inline script. Without JavaScript, or when the tiles cannot load, the page still works:
// the place is written in words, and the coordinates can be typed in.
//
// <div data-map data-tile-url data-attribution data-centre="lat,lon"
//      data-bounds="minLat,minLon,maxLat,maxLon" data-lat-input="id" data-lon-input="id"
//      data-text-…>: a Leaflet map (static/vendor/leaflet) inside a [data-map-wrap] that is
// hidden until the map is made. A click or tap inside the council's area sets the point and
// fills the two inputs; "Use my position" asks the browser; "Remove the point" empties them.
//
// <textarea data-count="2000" data-count-text="{used} of {max} characters">: a live count.
"use strict";

(function () {
  var DECIMALS = 6; // about 0.1 m: more than a phone's position is worth

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text || "";
    return span.innerHTML;
  }

  function numberOf(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function setUpMap(element) {
    var wrap = element.closest("[data-map-wrap]");
    var latInput = document.getElementById(element.dataset.latInput);
    var lonInput = document.getElementById(element.dataset.lonInput);
    if (!window.L || !wrap || !latInput || !lonInput) {
      return;
    }
    var status = wrap.querySelector("[data-map-status]");
    var locate = wrap.querySelector("[data-map-locate]");
    var clear = wrap.querySelector("[data-map-clear]");
    var text = element.dataset;
    var say = function (message) {
      if (status) {
        status.textContent = message;
      }
    };

    var b = (text.bounds || "").split(",").map(Number);
    var area = b.length === 4 && b.every(isFinite) ? L.latLngBounds([b[0], b[1]], [b[2], b[3]]) : null;
    wrap.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false, maxBounds: area ? area.pad(0.5) : null });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var tiles = L.tileLayer(text.tileUrl, { maxZoom: 19, attribution: escapeHtml(text.attribution) });
    var tilesFailed = false;
    tiles.on("tileerror", function () {
      if (!tilesFailed) {
        tilesFailed = true;
        say(text.textTilesFailed);
      }
    });
    tiles.addTo(map);

    var marker = null;
    function show(lat, lon) {
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        marker = L.marker([lat, lon], { keyboard: false }).addTo(map);
      }
    }
    function choose(latlng) {
      if (area && !area.contains(latlng)) {
        say(text.textOutside);
        return false;
      }
      var lat = latlng.lat.toFixed(DECIMALS);
      var lon = latlng.lng.toFixed(DECIMALS);
      latInput.value = lat;
      lonInput.value = lon;
      show(latlng.lat, latlng.lng);
      say(text.textChosen + " " + lat + ", " + lon);
      return true;
    }

    var lat = numberOf(latInput);
    var lon = numberOf(lonInput);
    if (lat !== null && lon !== null) {
      show(lat, lon);
      map.setView([lat, lon], 16);
    } else if (area) {
      map.fitBounds(area);
    } else {
      map.setView((text.centre || "0,0").split(",").map(Number), 10);
    }

    map.on("click", function (event) {
      choose(event.latlng);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var typedLat = numberOf(latInput);
        var typedLon = numberOf(lonInput);
        if (typedLat !== null && typedLon !== null) {
          show(typedLat, typedLon);
          map.panTo([typedLat, typedLon]);
        }
      });
    });
    if (clear) {
      clear.addEventListener("click", function () {
        latInput.value = "";
        lonInput.value = "";
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        say(text.textRemoved);
      });
    }
    if (locate) {
      if (!navigator.geolocation) {
        locate.hidden = true;
      } else {
        locate.addEventListener("click", function () {
          say(text.textLocating);
          navigator.geolocation.getCurrentPosition(
            function (position) {
              var here = L.latLng(position.coords.latitude, position.coords.longitude);
              if (choose(here)) {
                map.setView(here, 17);
              }
            },
            function () {
              say(text.textLocateFailed);
            },
            { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
          );
        });
      }
    }
  }

  function setUpCounter(area) {
    var max = parseInt(area.dataset.count, 10);
    var template = area.dataset.countText || "{used} / {max}";
    var out = document.createElement("small");
    out.className = "hint counter";
    area.insertAdjacentElement("afterend", out);
    function update() {
      var used = Array.from(area.value.trim()).length; // characters, as the server counts
      out.textContent = template.replace("{used}", used).replace("{max}", max);
      out.classList.toggle("error", used > max);
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(setUpMap);
    document.querySelectorAll("textarea[data-count]").forEach(setUpCounter);
  });
})();
