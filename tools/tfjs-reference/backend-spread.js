'use strict';
// How far TensorFlow.js disagrees with itself on MobileNetV3-CenterNet: the original graph model run on the
// fixture frames (the same 512x512 letterboxed inputs as centernet-reference.js) on the pure-JS CPU backend
// and on the WebAssembly backend, both float32, and the largest difference of each output printed. It shows
// what a parity bound can ask of a third float32 implementation (the converted ONNX model): the two backends
// add the same products in different orders.
//
// Usage: node backend-spread.js <model-dir> <repo-root>
//   model-dir  directory with centernet.json + centernet.bin (scripts/fetch-source-model.sh prints it)
//   repo-root  EdgeVision checkout; frames are read from tests/fixtures/frames/

const fs = require('fs');
const path = require('path');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const n = require('./nanodet');

const NET = 512;
const FRAMES = [40, 160, 320];
const OUTPUTS = ['tower_0/keypoints', 'tower_0/wh'];

async function runOn(backend, modelJson, inputs) {
  await n.tf.setBackend(backend);
  await n.tf.ready();
  const model = await n.loadGraphModel(modelJson);
  const results = [];
  for (const rgb of inputs) {
    const input = n.tf.tensor4d(Float32Array.from(rgb), [1, NET, NET, 3], 'float32');
    const outs = model.execute({ 'tower_0/images': input }, OUTPUTS);
    results.push(await Promise.all(outs.map(o => o.data())));
    input.dispose();
    outs.forEach(o => o.dispose());
  }
  return results;
}

function maxAbs(values) {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

function maxDifference(a, b) {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function main() {
  const [modelDirArg, repoRootArg] = process.argv.slice(2);
  if (!modelDirArg || !repoRootArg) {
    console.error('usage: node backend-spread.js <model-dir> <repo-root>');
    process.exit(2);
  }
  const modelJson = path.join(path.resolve(modelDirArg), 'centernet.json');
  if (!fs.existsSync(modelJson)) {
    console.error(`backend-spread: error: ${modelJson} not found`);
    process.exit(2);
  }
  const repoRoot = path.resolve(repoRootArg);
  wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));

  // The letterbox runs on the CPU backend, exactly as for the fixtures.
  await n.initBackend();
  const inputs = FRAMES.map(index => {
    const id = `vtest_${String(index).padStart(6, '0')}`;
    return n.letterbox(n.readPng(path.join(repoRoot, 'tests', 'fixtures', 'frames', `${id}.png`)), NET).rgb;
  });
  const cpu = await runOn('cpu', modelJson, inputs);
  const webAssembly = await runOn('wasm', modelJson, inputs);
  FRAMES.forEach((index, f) => {
    const [keypoints, wh] = [0, 1].map(o => maxDifference(cpu[f][o], webAssembly[f][o]));
    console.log(`frame ${index}: keypoints max |cpu - wasm| ${keypoints.toExponential(2)}; ` +
      `wh max |cpu - wasm| ${wh.toExponential(2)} px (sizes up to ${maxAbs(cpu[f][1]).toFixed(1)} px)`);
  });
}

main().catch(err => {
  console.error(`backend-spread: error: ${err.message}`);
  process.exit(1);
});
