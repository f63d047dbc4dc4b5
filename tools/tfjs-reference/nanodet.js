'use strict';
// Shared helpers for the NanoDet-g TF.js reference tools: model loading from
// disk, the EdgeVision letterbox, tensor preparation, output decoding, NMS and
// a tiny PNG rectangle painter used for visual checks.

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfconv = require('@tensorflow/tfjs-converter');
const { PNG } = require('pngjs');

const NET_SIZE = 416;
const STRIDES = [8, 16, 32];
const REG_BINS = 11; // reg_max + 1 bins per box side
const INPUT_NAME = 'input_1:0';
// Output signature names, in the order the fixtures list them.
const SCORE_OUTPUTS = ['Identity:0', 'Identity_1:0', 'Identity_2:0']; // stride 8, 16, 32
const BOX_OUTPUTS = ['Identity_3:0', 'Identity_4:0', 'Identity_5:0']; // stride 8, 16, 32
const ALL_OUTPUTS = [...SCORE_OUTPUTS, ...BOX_OUTPUTS];

// Per-channel constants in B, G, R order (channel 0 of the network input is B).
const MEAN_BGR = [103.53, 116.28, 123.675];
const STD_BGR = [57.375, 57.12, 58.395];

const COCO_LABELS = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck',
  'boat', 'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench',
  'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra',
  'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove',
  'skateboard', 'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup',
  'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
  'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse',
  'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink',
  'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear',
  'hair drier', 'toothbrush',
];

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function initBackend() {
  await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend();
}

// Loads model.json plus its weight shards straight from disk; no fetch/http.
async function loadGraphModel(modelJsonPath) {
  const dir = path.dirname(modelJsonPath);
  const json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  const weightSpecs = [];
  const shards = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(shards);
  // Hand TF.js an ArrayBuffer that holds exactly the weight bytes.
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
  });
  return tfconv.loadGraphModel(handler);
}

function readPng(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  // pngjs always hands back RGBA; drop alpha.
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = png.data[j];
    rgb[i + 1] = png.data[j + 1];
    rgb[i + 2] = png.data[j + 2];
  }
  return { width: png.width, height: png.height, rgb };
}

function writeRgbPng(file, width, height, rgb) {
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }));
}

// Letterbox geometry shared with the C# side.
function letterboxGeometry(srcW, srcH, net = NET_SIZE) {
  const scale = Math.min(net / srcW, net / srcH);
  const newW = Math.floor(srcW * scale + 0.5);
  const newH = Math.floor(srcH * scale + 0.5);
  const padX = Math.floor((net - newW) / 2);
  const padY = Math.floor((net - newH) / 2);
  return { scale, padX, padY, newW, newH };
}

// Resizes the RGB image with TF.js bilinear (half-pixel centres), rounds to
// uint8 (floor(v + 0.5), clamped) and pastes it centred on a black 416x416
// canvas. Returns the canvas as interleaved RGB bytes plus the geometry.
function letterbox(img, net = NET_SIZE) {
  const g = letterboxGeometry(img.width, img.height, net);
  const resized = tf.tidy(() => {
    const t = tf.tensor3d(Float32Array.from(img.rgb), [img.height, img.width, 3], 'float32');
    return tf.image.resizeBilinear(t, [g.newH, g.newW], false, true);
  });
  const vals = resized.dataSync();
  resized.dispose();
  const out = new Uint8Array(net * net * 3); // zero = black padding
  for (let y = 0; y < g.newH; y++) {
    for (let x = 0; x < g.newW; x++) {
      const s = (y * g.newW + x) * 3;
      const d = ((y + g.padY) * net + (x + g.padX)) * 3;
      for (let c = 0; c < 3; c++) {
        let v = Math.floor(vals[s + c] + 0.5);
        out[d + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { rgb: out, size: net, ...g };
}

// Builds the NCHW float32 input from interleaved RGB bytes.
//   order: 'bgr' (channel 0 = blue) or 'rgb'
//   mean/std: per network channel (same order as `order`)
function makeInput(rgb, size, { order = 'bgr', mean = MEAN_BGR, std = STD_BGR } = {}) {
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  const srcChan = order === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    const sc = srcChan[c];
    const m = mean[c];
    const sd = std[c];
    for (let i = 0; i < plane; i++) data[c * plane + i] = (rgb[i * 3 + sc] - m) / sd;
  }
  return tf.tensor4d(data, [1, 3, size, size], 'float32');
}

// Runs the graph model and returns {name: {data: Float32Array, shape}}.
function runModel(model, input) {
  const outs = model.execute({ [INPUT_NAME]: input }, ALL_OUTPUTS);
  const result = {};
  ALL_OUTPUTS.forEach((name, i) => {
    result[name] = { data: outs[i].dataSync().slice(), shape: outs[i].shape.slice() };
    outs[i].dispose();
  });
  return result;
}

function maxScoreForClass(outputs, classId) {
  let best = -Infinity;
  for (const name of SCORE_OUTPUTS) {
    const { data, shape } = outputs[name];
    const nc = shape[2];
    for (let i = classId; i < data.length; i += nc) if (data[i] > best) best = data[i];
  }
  return best;
}

// Expected distance (in bins) of one box side: softmax over the bins, then
// sum(i * p_i). `off` is the first bin of the side.
function sideDistance(dist, off, bins) {
  let mx = -Infinity;
  for (let i = 0; i < bins; i++) if (dist[off + i] > mx) mx = dist[off + i];
  let sum = 0;
  let acc = 0;
  for (let i = 0; i < bins; i++) {
    const e = Math.exp(dist[off + i] - mx);
    sum += e;
    acc += i * e;
  }
  return acc / sum;
}

// Decodes all cells with max class score >= threshold. Boxes are in network
// pixels. `anchor` picks the point the four distances are measured from:
// 'center' ((col+0.5)*stride, (row+0.5)*stride) is what this model was trained
// with (see README.md); 'corner' (col*stride, row*stride) is only kept for the
// comparison in check-model-facts.js.
function decode(outputs, { threshold = 0.5, anchor = 'center', net = NET_SIZE } = {}) {
  const dets = [];
  STRIDES.forEach((stride, level) => {
    const scores = outputs[SCORE_OUTPUTS[level]];
    const boxes = outputs[BOX_OUTPUTS[level]];
    const nc = scores.shape[2];
    const nd = boxes.shape[2];
    const gridW = net / stride;
    const cells = scores.shape[1];
    const shift = anchor === 'center' ? 0.5 : 0;
    for (let idx = 0; idx < cells; idx++) {
      let best = -Infinity;
      let cls = -1;
      const sOff = idx * nc;
      for (let k = 0; k < nc; k++) {
        const v = scores.data[sOff + k];
        if (v > best) { best = v; cls = k; }
      }
      if (!(best >= threshold)) continue;
      const row = Math.floor(idx / gridW);
      const col = idx % gridW;
      const cx = (col + shift) * stride;
      const cy = (row + shift) * stride;
      const dOff = idx * nd;
      const l = sideDistance(boxes.data, dOff + 0 * REG_BINS, REG_BINS) * stride;
      const t = sideDistance(boxes.data, dOff + 1 * REG_BINS, REG_BINS) * stride;
      const r = sideDistance(boxes.data, dOff + 2 * REG_BINS, REG_BINS) * stride;
      const b = sideDistance(boxes.data, dOff + 3 * REG_BINS, REG_BINS) * stride;
      dets.push({ classId: cls, score: best, box: [cx - l, cy - t, cx + r, cy + b], level, cell: idx });
    }
  });
  return dets;
}

function iou(a, b) {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}

// Class-aware greedy NMS. Candidates are ordered by score (descending); equal
// scores keep decode order (stride 8 before 16 before 32, then cell index).
// A candidate is dropped when its IoU with an already kept box of the same
// class is greater than `iouThreshold`.
function nms(dets, iouThreshold = 0.6) {
  const order = dets.map((d, i) => i).sort((i, j) => (dets[j].score - dets[i].score) || (i - j));
  const kept = [];
  for (const i of order) {
    const d = dets[i];
    let drop = false;
    for (const k of kept) {
      if (k.classId === d.classId && iou(k.box, d.box) > iouThreshold) { drop = true; break; }
    }
    if (!drop) kept.push(d);
  }
  return kept;
}

// Maps a network-pixel box back to source pixels and clamps it to [0, W] x [0, H].
function toSource(box, geom, srcW, srcH) {
  const clamp = (v, hi) => (v < 0 ? 0 : v > hi ? hi : v);
  return [
    clamp((box[0] - geom.padX) / geom.scale, srcW),
    clamp((box[1] - geom.padY) / geom.scale, srcH),
    clamp((box[2] - geom.padX) / geom.scale, srcW),
    clamp((box[3] - geom.padY) / geom.scale, srcH),
  ];
}

// Draws axis-aligned rectangle outlines into an interleaved RGB buffer.
function drawRect(rgb, width, height, box, color, thickness = 2) {
  const x1 = Math.max(0, Math.round(box[0]));
  const y1 = Math.max(0, Math.round(box[1]));
  const x2 = Math.min(width - 1, Math.round(box[2]));
  const y2 = Math.min(height - 1, Math.round(box[3]));
  const put = (x, y) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const o = (y * width + x) * 3;
    rgb[o] = color[0]; rgb[o + 1] = color[1]; rgb[o + 2] = color[2];
  };
  for (let t = 0; t < thickness; t++) {
    for (let x = x1; x <= x2; x++) { put(x, y1 + t); put(x, y2 - t); }
    for (let y = y1; y <= y2; y++) { put(x1 + t, y); put(x2 - t, y); }
  }
}

module.exports = {
  tf, NET_SIZE, STRIDES, REG_BINS, INPUT_NAME, SCORE_OUTPUTS, BOX_OUTPUTS, ALL_OUTPUTS,
  MEAN_BGR, STD_BGR, COCO_LABELS,
  sha256File, initBackend, loadGraphModel, readPng, writeRgbPng,
  letterboxGeometry, letterbox, makeInput, runModel, maxScoreForClass,
  decode, nms, iou, toSource, drawRect,
};
