'use strict';
// Experiments that confirm the pre/post-processing facts of the NanoDet-g
// model (channel order, normalization, anchor point of the box distances).
// Not needed to regenerate the fixtures; see README.md for the results.
//
// Usage: node check-model-facts.js <model-dir> <repo-root> [out-dir]
//   out-dir (default: /tmp/edgevision-nanodet-checks) receives PNGs with the
//   decoded boxes drawn on the source frames.

const fs = require('fs');
const path = require('path');
const n = require('./nanodet');

const FRAMES = [40, 160, 320, 480, 640];

const rev = (a) => a.slice().reverse();
const VARIANTS = {
  'BGR, mean/std (expected)': { order: 'bgr', mean: n.MEAN_BGR, std: n.STD_BGR },
  'RGB, mean/std per colour': { order: 'rgb', mean: rev(n.MEAN_BGR), std: rev(n.STD_BGR) },
  'BGR, x/255': { order: 'bgr', mean: [0, 0, 0], std: [255, 255, 255] },
  'RGB, x/255': { order: 'rgb', mean: [0, 0, 0], std: [255, 255, 255] },
  'BGR, (x-127.5)/127.5': { order: 'bgr', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  'BGR, raw 0..255': { order: 'bgr', mean: [0, 0, 0], std: [1, 1, 1] },
};

// For every reference person box, the best score of a same-class box with
// IoU >= 0.5 among the candidates (0 when nothing overlaps).
function matchedScores(refs, cands) {
  return refs.map((r) => {
    let best = 0;
    for (const c of cands) if (c.classId === r.classId && n.iou(r.box, c.box) >= 0.5 && c.score > best) best = c.score;
    return best;
  });
}

async function main() {
  const [modelDir, repoRoot, outArg] = process.argv.slice(2);
  if (!modelDir || !repoRoot) {
    console.error('usage: node check-model-facts.js <model-dir> <repo-root> [out-dir]');
    process.exit(2);
  }
  const outDir = outArg || '/tmp/edgevision-nanodet-checks';
  fs.mkdirSync(outDir, { recursive: true });
  await n.initBackend();
  const model = await n.loadGraphModel(path.join(modelDir, 'nanodet.json'));

  const names = Object.keys(VARIANTS);
  const totals = Object.fromEntries(names.map((k) => [k, { maxP: 0, matched: 0, nP: 0 }]));
  for (const f of FRAMES) {
    const id = `vtest_${String(f).padStart(6, '0')}`;
    const img = n.readPng(path.join(repoRoot, 'tests/fixtures/frames', `${id}.png`));
    const lb = n.letterbox(img);
    const results = {};
    for (const k of names) {
      const input = n.makeInput(lb.rgb, lb.size, VARIANTS[k]);
      const out = n.runModel(model, input);
      input.dispose();
      results[k] = { out, dets: n.nms(n.decode(out, { threshold: 0.05 })) };
    }
    // Reference people: the expected preprocessing, score >= 0.5.
    const refs = results[names[0]].dets.filter((d) => d.classId === 0 && d.score >= 0.5);
    console.log(`\n${id}: ${refs.length} people at score >= 0.5 with the expected preprocessing`);
    for (const k of names) {
      const { out, dets } = results[k];
      const maxP = n.maxScoreForClass(out, 0);
      const m = matchedScores(refs, dets);
      const mean = m.reduce((a, b) => a + b, 0) / Math.max(1, m.length);
      const nP = dets.filter((d) => d.classId === 0 && d.score >= 0.5).length;
      const maxCar = n.maxScoreForClass(out, 2);
      totals[k].maxP += maxP; totals[k].matched += mean; totals[k].nP += nP;
      console.log(`  ${k.padEnd(26)} max person ${maxP.toFixed(4)}  mean score on the reference people ${mean.toFixed(4)}  people>=0.5 ${nP}  max car ${maxCar.toFixed(4)}`);
    }

    // Corner vs centre anchor point, expected preprocessing.
    const out = results[names[0]].out;
    const corner = n.nms(n.decode(out, { anchor: 'corner' }));
    const centre = n.nms(n.decode(out, { anchor: 'center' }));
    const both = Uint8Array.from(img.rgb);
    const onlyCorner = Uint8Array.from(img.rgb);
    const onlyCentre = Uint8Array.from(img.rgb);
    for (const d of centre) {
      const b = n.toSource(d.box, lb, img.width, img.height);
      n.drawRect(both, img.width, img.height, b, [255, 0, 0], 1);
      n.drawRect(onlyCentre, img.width, img.height, b, [255, 0, 0], 2);
    }
    for (const d of corner) {
      const b = n.toSource(d.box, lb, img.width, img.height);
      n.drawRect(both, img.width, img.height, b, [0, 255, 0], 1);
      n.drawRect(onlyCorner, img.width, img.height, b, [0, 255, 0], 2);
    }
    n.writeRgbPng(path.join(outDir, `${id}.both.png`), img.width, img.height, both);
    n.writeRgbPng(path.join(outDir, `${id}.corner.png`), img.width, img.height, onlyCorner);
    n.writeRgbPng(path.join(outDir, `${id}.centre.png`), img.width, img.height, onlyCentre);
    console.log(`  drawn: ${id}.corner.png (green), ${id}.centre.png (red), ${id}.both.png`);
  }
  console.log('\nTotals over all frames (sum of max person score / sum of mean matched score / people >= 0.5):');
  for (const k of names) {
    const t = totals[k];
    console.log(`  ${k.padEnd(26)} ${t.maxP.toFixed(4)}  ${t.matched.toFixed(4)}  ${t.nP}`);
  }
}

main().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });
