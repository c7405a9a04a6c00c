// SPDX-License-Identifier: GPL-3.0-or-later
//
// The npm `eventsource` package (the WhatWG EventSource on Node: fetch, a
// body reader and eventsource-parser underneath, one MessageEvent per
// event) reading the emitter's stream: counts message events and exits at
// N, or after MAX_SECONDS with what it has by then (marked partial=1).
// PACKAGE is the directory name under NODE_MODULES_DIR (default
// `eventsource`; bench.sh installs 5.x under an alias next to 4.x).
// Releases from 5 on are ES modules only, hence the import().
//
//   node eventsource-reader.js NODE_MODULES_DIR URL N [MAX_SECONDS [PACKAGE]]
//     → "events=… ns=… [partial=1]" on stdout
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');

if (process.argv.length < 5 || process.argv.length > 7) {
  console.error('usage: node eventsource-reader.js NODE_MODULES_DIR URL N [MAX_SECONDS [PACKAGE]]');
  process.exit(2);
}

const nodeModules = path.resolve(process.argv[2]);
const url = process.argv[3];
const target = Number(process.argv[4]);
const maxSeconds = process.argv.length >= 6 ? Number(process.argv[5]) : 0;
const packageName = process.argv.length === 7 ? process.argv[6] : 'eventsource';
let start = 0n;
let events = 0;
let es = null;

function finish(partial) {
  const ns = process.hrtime.bigint() - start;
  es.close();
  process.stdout.write(`events=${events} ns=${ns}${partial ? ' partial=1' : ''}\n`,
                       () => process.exit(0));
}

async function main() {
  const entry = require.resolve(packageName, { paths: [path.dirname(nodeModules)] });
  const module = await import(pathToFileURL(entry).href);
  // 3.x and later export { EventSource }; 2.x exported the class itself.
  const EventSource = module.EventSource || (module.default && module.default.EventSource) || module.default;

  start = process.hrtime.bigint();
  es = new EventSource(url);
  es.onmessage = () => {
    events++;
    if (events === target)
      finish(false);
  };
  // The emitter sends N events and closes: an error before the N-th is a
  // failure, not a cue to let EventSource reconnect.
  es.onerror = (err) => {
    if (events < target) {
      es.close();
      console.error(`eventsource-reader: stream failed after ${events} events:`, err && err.message);
      process.exit(1);
    }
  };

  // Message handlers run between reads, so the timer fires at the next gap.
  if (maxSeconds > 0)
    setTimeout(() => finish(true), maxSeconds * 1000);
}

main().catch((err) => {
  console.error(`eventsource-reader: ${packageName}: ${err && err.message}`);
  process.exit(1);
});
