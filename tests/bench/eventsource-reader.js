// SPDX-License-Identifier: GPL-3.0-or-later
//
// The npm `eventsource` package (v2, the most used SSE client) reading the
// emitter's stream: counts message events and exits at N, or after
// MAX_SECONDS with what it has by then (marked partial=1).
//
//   node eventsource-reader.js NODE_MODULES_DIR URL N [MAX_SECONDS]
//     → "events=… ns=… [partial=1]" on stdout
'use strict';

const path = require('path');

if (process.argv.length < 5 || process.argv.length > 6) {
  console.error('usage: node eventsource-reader.js NODE_MODULES_DIR URL N [MAX_SECONDS]');
  process.exit(2);
}

const EventSource = require(path.resolve(process.argv[2], 'eventsource'));
const url = process.argv[3];
const target = Number(process.argv[4]);
const maxSeconds = process.argv.length === 6 ? Number(process.argv[5]) : 0;
const start = process.hrtime.bigint();
let events = 0;

function finish(partial) {
  const ns = process.hrtime.bigint() - start;
  es.close();
  process.stdout.write(`events=${events} ns=${ns}${partial ? ' partial=1' : ''}\n`,
                       () => process.exit(0));
}

const es = new EventSource(url);
es.onmessage = () => {
  events++;
  if (events === target)
    finish(false);
};
es.onerror = (err) => {
  if (events < target && es.readyState === EventSource.CLOSED) {
    console.error(`eventsource-reader: stream failed after ${events} events`, err && err.message);
    process.exit(1);
  }
};

// Message handlers run between reads, so the timer fires at the next gap.
if (maxSeconds > 0)
  setTimeout(() => finish(true), maxSeconds * 1000);
