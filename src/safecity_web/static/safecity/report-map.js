// The report form's map (progressive enhancement of the "Where did it happen?" page).
//
// Without JavaScript the page asks for a place or street name only. With it, this module draws
// the published area and its wards as SVG from the outlines embedded in the page
// (<script type="application/json" id="report-map-data">, a GeoJSON FeatureCollection) — no
// map tiles, no request to any other site — and lets the reporter choose a point by clicking,
// tapping, or with the arrow keys (Enter or Space places the point). The point's latitude and
// longitude go into the form's hidden inputs (id_latitude, id_longitude); the server checks it
// lies inside the area. Nothing is written to the console.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const KEY_STEP = 0.01; // share of the map's width an arrow key moves the point

function outlines() {
  const data = document.getElementById("report-map-data");
  if (!data) return null;
  try {
    return JSON.parse(data.textContent);
  } catch {
    return null;
  }
}

function polygons(feature) {
  const geometry = feature.geometry || {};
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function insideRing(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function insideFeature(feature, longitude, latitude) {
  return polygons(feature).some(
    (rings) =>
      insideRing(rings[0], longitude, latitude) &&
      !rings.slice(1).some((hole) => insideRing(hole, longitude, latitude)),
  );
}

function projection(features) {
  let west = Infinity;
  let east = -Infinity;
  let south = Infinity;
  let north = -Infinity;
  for (const feature of features) {
    for (const rings of polygons(feature)) {
      for (const [longitude, latitude] of rings[0]) {
        west = Math.min(west, longitude);
        east = Math.max(east, longitude);
        south = Math.min(south, latitude);
        north = Math.max(north, latitude);
      }
    }
  }
  const shrink = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const scale = WIDTH / Math.max((east - west) * shrink, 1e-9);
  const height = Math.max(1, Math.round((north - south) * scale));
  return {
    height,
    toScreen: (longitude, latitude) => [
      (longitude - west) * shrink * scale,
      (north - latitude) * scale,
    ],
    toEarth: (x, y) => [west + x / (shrink * scale), north - y / scale],
  };
}

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

function pathData(feature, project) {
  return polygons(feature)
    .flatMap((rings) =>
      rings.map(
        (ring) =>
          ring
            .map(([longitude, latitude], index) => {
              const [x, y] = project(longitude, latitude);
              return `${index === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
            })
            .join("") + "Z",
      ),
    )
    .join("");
}

function start() {
  const container = document.querySelector("[data-report-map]");
  const collection = outlines();
  const latitudeInput = document.getElementById("id_latitude");
  const longitudeInput = document.getElementById("id_longitude");
  if (!container || !collection || !latitudeInput || !longitudeInput) return;
  const features = (collection.features || []).filter((feature) => polygons(feature).length);
  const area = features.find((feature) => feature.properties.area_level === "csp");
  const wards = features.filter((feature) => feature.properties.area_level === "ward");
  if (!features.length) return;
  const { height, toScreen, toEarth } = projection(area ? [area] : features);
  const canvas = container.querySelector("[data-report-map-canvas]");
  const status = container.querySelector("[data-report-map-status]");
  const clear = container.querySelector("[data-report-map-clear]");
  const svg = element("svg", {
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: "100%",
    role: "application",
    tabindex: "0",
    "aria-label":
      "Map of the area. Select a point, or use the arrow keys to move the point and Enter to place it.",
    "aria-describedby": "report-map-instructions",
    class: "safecity-report-map__svg",
  });
  for (const ward of wards) {
    const outline = element("path", {
      d: pathData(ward, toScreen),
      fill: "#f3f2f1",
      stroke: "#505a5f",
      "stroke-width": 1,
    });
    const title = element("title", {});
    title.textContent = ward.properties.area_name || "";
    outline.appendChild(title);
    svg.appendChild(outline);
  }
  if (area) {
    svg.appendChild(
      element("path", {
        d: pathData(area, toScreen),
        fill: "none",
        stroke: "#0b0c0c",
        "stroke-width": 3,
      }),
    );
  }
  const marker = element("circle", {
    r: 8,
    fill: "#d4351c",
    stroke: "#ffffff",
    "stroke-width": 2,
    visibility: "hidden",
  });
  svg.appendChild(marker);
  canvas.appendChild(svg);
  container.hidden = false;

  let cursor = [WIDTH / 2, height / 2];

  function show(x, y) {
    marker.setAttribute("cx", x.toFixed(1));
    marker.setAttribute("cy", y.toFixed(1));
    marker.setAttribute("visibility", "visible");
  }

  function place(x, y) {
    cursor = [x, y];
    const [longitude, latitude] = toEarth(x, y);
    show(x, y);
    if (area && !insideFeature(area, longitude, latitude)) {
      latitudeInput.value = "";
      longitudeInput.value = "";
      marker.setAttribute("fill", "#505a5f");
      status.textContent = "That point is outside the area: choose a point inside the outline.";
      clear.hidden = true;
      return;
    }
    marker.setAttribute("fill", "#d4351c");
    latitudeInput.value = latitude.toFixed(6);
    longitudeInput.value = longitude.toFixed(6);
    const ward = wards.find((feature) => insideFeature(feature, longitude, latitude));
    status.textContent = ward
      ? `Point chosen, in ${ward.properties.area_name}.`
      : "Point chosen.";
    clear.hidden = false;
  }

  svg.addEventListener("click", (event) => {
    const matrix = svg.getScreenCTM();
    if (!matrix) return;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    place(point.x, point.y);
  });
  svg.addEventListener("keydown", (event) => {
    const step = WIDTH * KEY_STEP;
    const moves = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    if (moves[event.key]) {
      event.preventDefault();
      const [dx, dy] = moves[event.key];
      cursor = [
        Math.min(WIDTH, Math.max(0, cursor[0] + dx)),
        Math.min(height, Math.max(0, cursor[1] + dy)),
      ];
      show(cursor[0], cursor[1]);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      place(cursor[0], cursor[1]);
    }
  });
  clear.addEventListener("click", () => {
    latitudeInput.value = "";
    longitudeInput.value = "";
    marker.setAttribute("visibility", "hidden");
    status.textContent = "Point removed.";
    clear.hidden = true;
  });
  const latitude = Number.parseFloat(latitudeInput.value);
  const longitude = Number.parseFloat(longitudeInput.value);
  if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
    const [x, y] = toScreen(longitude, latitude);
    place(x, y);
  }
}

start();
