// The live page: one tile per camera with its latest processed image (boxes drawn by the agent on the very frame
// they were found on), status, rates, what is in view, and the detection switch. Data comes from the agent's own
// API; nothing is loaded from elsewhere, and every value is set as text, never as markup.
"use strict";

const tiles = new Map();
const svgNs = "http://www.w3.org/2000/svg";
const chartWidth = 360;
const chartHeight = 60;
const chartEveryMs = 30000;
const refreshMs = 2000;
const imageGapMs = 200;

function tileFor(camera) {
  let tile = tiles.get(camera.name);
  if (tile) {
    return tile;
  }

  const article = document.createElement("article");
  article.className = "camera";
  article.dataset.camera = camera.name;
  const image = document.createElement("img");
  image.alt = `latest image of camera ${camera.name}`;
  const bar = document.createElement("div");
  bar.className = "bar";
  const title = document.createElement("h2");
  title.textContent = camera.name;
  const badge = document.createElement("span");
  badge.className = "badge";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "detect";
  bar.append(title, badge, toggle);
  const facts = document.createElement("div");
  facts.className = "facts";
  const rates = document.createElement("div");
  rates.className = "rates";
  const inView = document.createElement("div");
  inView.className = "in-view";
  facts.append(rates, inView);
  const chart = document.createElement("figure");
  chart.className = "chart";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${chartWidth} ${chartHeight}`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  const caption = document.createElement("figcaption");
  caption.textContent = "Tracked objects in view, last hour";
  chart.append(svg, caption);
  article.append(image, bar, facts, chart);
  document.getElementById("cameras").append(article);

  tile = { article, image, badge, toggle, rates, inView, svg, caption, shown: null, wanted: null, loading: false, detecting: true, chartAt: 0 };
  toggle.addEventListener("click", () => switchDetection(camera.name, tile));
  image.addEventListener("load", () => { tile.loading = false; setTimeout(() => nextImage(camera.name, tile), imageGapMs); });
  image.addEventListener("error", () => { tile.loading = false; setTimeout(() => nextImage(camera.name, tile), refreshMs); });
  tiles.set(camera.name, tile);
  return tile;
}

function nextImage(name, tile) {
  if (tile.loading || tile.wanted === null || tile.wanted === tile.shown) {
    return;
  }

  tile.loading = true;
  tile.shown = tile.wanted;
  tile.image.src = `/api/cameras/${encodeURIComponent(name)}/latest.jpg?t=${encodeURIComponent(tile.wanted)}`;
}

function render(camera) {
  const tile = tileFor(camera);
  tile.badge.textContent = camera.status;
  tile.badge.classList.toggle("online", camera.status === "online");
  tile.detecting = camera.detecting;
  tile.toggle.textContent = camera.detecting ? "Detection on" : "Detection paused";
  tile.toggle.title = camera.detecting ? "Pause detection on this camera" : "Resume detection on this camera";
  tile.toggle.setAttribute("aria-pressed", String(camera.detecting));
  tile.rates.textContent = `${camera.captured_fps.toFixed(1)} fps captured · ${camera.processed_fps.toFixed(1)} fps processed · ${camera.detected} detected · ${camera.motion_skipped} still · ${camera.dropped} dropped`
    + (camera.filtered_detections > 0 ? ` · ${camera.filtered_detections} detections filtered` : "");
  const seen = Object.entries(camera.in_view).map(([label, count]) => `${count} ${label}`).join(", ");
  tile.inView.textContent = seen ? `In view: ${seen}` : "Nothing in view";
  if (camera.last_frame_at) {
    tile.wanted = camera.last_frame_at;
    nextImage(camera.name, tile);
  }

  if (Date.now() - tile.chartAt >= chartEveryMs) {
    tile.chartAt = Date.now();
    drawChart(camera.name, tile);
  }
}

// The tracked objects in view over the last hour, from the agent's store: a line through the last value of each 30 s step.
async function drawChart(name, tile) {
  const to = new Date();
  const from = new Date(to.getTime() - 3600 * 1000);
  try {
    const response = await fetch(`/api/counts?camera=${encodeURIComponent(name)}&step=30&from=${from.toISOString()}&to=${to.toISOString()}`, { cache: "no-store" });
    if (!response.ok) {
      tile.caption.textContent = response.status === 503 ? "History is off" : `History unavailable (HTTP ${response.status})`;
      tile.svg.replaceChildren();
      return;
    }

    const series = await response.json();
    const points = series.points.map(p => ({ t: new Date(p.at).getTime(), v: p.value }));
    const top = Math.max(1, ...points.map(p => p.v));
    const x = t => ((t - from.getTime()) / (to.getTime() - from.getTime())) * chartWidth;
    const y = v => chartHeight - 4 - (v / top) * (chartHeight - 8);
    const line = document.createElementNS(svgNs, "polyline");
    line.setAttribute("points", points.map(p => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" "));
    const parts = [line];
    if (points.length > 0) {
      const last = points[points.length - 1];
      const dot = document.createElementNS(svgNs, "circle");
      dot.setAttribute("cx", x(last.t).toFixed(1));
      dot.setAttribute("cy", y(last.v).toFixed(1));
      dot.setAttribute("r", "2.5");
      parts.push(dot);
    }

    tile.svg.replaceChildren(...parts);
    tile.svg.setAttribute("aria-label", `objects in view over the last hour, at most ${top}`);
    tile.caption.textContent = points.length === 0 ? "Tracked objects in view, last hour: no samples yet" : `Tracked objects in view, last hour (at most ${top}, now ${points[points.length - 1].v})`;
    if (points.length === 0) {
      tile.chartAt = 0; // ask again on the next refresh rather than in 30 s
    }
  } catch (error) {
    tile.caption.textContent = `History unavailable (${error.message})`;
  }
}

async function switchDetection(name, tile) {
  const command = tile.detecting ? "OFF" : "ON";
  tile.toggle.disabled = true;
  try {
    const response = await fetch(`/api/cameras/${encodeURIComponent(name)}/detect`, { method: "POST", body: command });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }

    await refresh();
  } catch (error) {
    document.getElementById("summary").textContent = `could not switch ${name}: ${error.message}`;
  } finally {
    tile.toggle.disabled = false;
  }
}

async function refresh() {
  const summary = document.getElementById("summary");
  try {
    const response = await fetch("/api/cameras", { cache: "no-store" });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }

    const cameras = await response.json();
    cameras.forEach(render);
    const online = cameras.filter(c => c.status === "online").length;
    summary.textContent = `${online} of ${cameras.length} camera${cameras.length === 1 ? "" : "s"} online · updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    summary.textContent = `agent not reachable (${error.message}); retrying`;
  }
}

const maxEvents = 30;

// The live event feed: every event the agent publishes on MQTT, newest first, with the object's best snapshot.
function showEvent(e) {
  const item = document.createElement("li");
  item.className = "event";
  item.dataset.eventId = e.event_id;
  const image = document.createElement("img");
  image.alt = `${e.label} ${e.object_id}`;
  image.src = `/api/objects/${encodeURIComponent(e.object_id)}/snapshot.jpg`;
  image.addEventListener("error", () => { image.style.visibility = "hidden"; });
  const text = document.createElement("div");
  const what = document.createElement("div");
  what.className = "what";
  what.textContent = e.caption || `${e.label}: ${e.type}`;
  const when = document.createElement("div");
  when.className = "when";
  when.textContent = `${e.camera} · ${new Date(e.last_seen).toLocaleTimeString()}`;
  text.append(what, when);
  item.append(image, text);
  const list = document.getElementById("events");
  list.prepend(item);
  while (list.children.length > maxEvents) {
    list.lastElementChild.remove();
  }
}

function followEvents() {
  const source = new EventSource("/api/events/stream");
  source.addEventListener("event", message => {
    const e = JSON.parse(message.data);
    // Only events a person would read: arrivals, departures and those with a caption.
    if (e.type !== "update" || e.caption) {
      showEvent(e);
    }
  });
}

refresh();
setInterval(refresh, refreshMs);
followEvents();
