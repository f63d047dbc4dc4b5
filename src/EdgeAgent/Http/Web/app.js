// The live page: one tile per camera with its latest processed image (boxes drawn by the agent on the very frame
// they were found on), status, rates, what is in view, and the detection switch. Data comes from the agent's own
// API; nothing is loaded from elsewhere, and every value is set as text, never as markup.
"use strict";

const tiles = new Map();
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
  article.append(image, bar, facts);
  document.getElementById("cameras").append(article);

  tile = { article, image, badge, toggle, rates, inView, shown: null, wanted: null, loading: false, detecting: true };
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
  tile.rates.textContent = `${camera.captured_fps.toFixed(1)} fps captured · ${camera.processed_fps.toFixed(1)} fps processed · ${camera.detected} detected · ${camera.motion_skipped} still · ${camera.dropped} dropped`;
  const seen = Object.entries(camera.in_view).map(([label, count]) => `${count} ${label}`).join(", ");
  tile.inView.textContent = seen ? `In view: ${seen}` : "Nothing in view";
  if (camera.last_frame_at) {
    tile.wanted = camera.last_frame_at;
    nextImage(camera.name, tile);
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
