// SPDX-License-Identifier: GPL-3.0-or-later
//
// The npm `eventsource-parser` package on Node's built-in fetch, without an
// EventSource around it: what a Node program that reads a stream itself
// gets at best. Two ways, as its README shows them:
//   feed    body.getReader(), TextDecoder, createParser().feed() per chunk
//   stream  body.pipeThrough(TextDecoderStream).pipeThrough(EventSourceParserStream)
// Counts events and exits at N, or after MAX_SECONDS with what it has by
// then (marked partial=1). The package is ES modules only, hence import().
//
//   node eventsource-parser-reader.js feed|stream NODE_MODULES_DIR URL N [MAX_SECONDS]
//     → "events=… ns=… [partial=1]" on stdout
'use strict';

const path = require('path');
const { pathToFileURL } = require('url');

if (process.argv.length < 6 || process.argv.length > 7 ||
    (process.argv[2] !== 'feed' && process.argv[2] !== 'stream')) {
  console.error('usage: node eventsource-parser-reader.js feed|stream NODE_MODULES_DIR URL N [MAX_SECONDS]');
  process.exit(2);
}

const mode = process.argv[2];
const nodeModules = path.resolve(process.argv[3]);
const url = process.argv[4];
const target = Number(process.argv[5]);
const maxSeconds = process.argv.length === 7 ? Number(process.argv[6]) : 0;
const abort = new AbortController();
let start = 0n;
let deadline = 0n;
let events = 0;
let finished = false;

async function load(specifier) {
  const entry = require.resolve(specifier, { paths: [path.dirname(nodeModules)] });

  return import(pathToFileURL(entry).href);
}

function finish(partial) {
  if (finished)
    return;
  finished = true;
  const ns = process.hrtime.bigint() - start;
  abort.abort();
  process.stdout.write(`events=${events} ns=${ns}${partial ? ' partial=1' : ''}\n`,
                       () => process.exit(0));
}

// Checked per chunk (feed) or per 1024 events (stream): a steady stream
// leaves the event loop little room for a timer.
function pastDeadline() {
  return deadline > 0n && process.hrtime.bigint() >= deadline;
}

async function readFeed(body, createParser) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = createParser({ onEvent: () => { events++; } });

  while (!finished) {
    const { done, value } = await reader.read();

    if (done)
      break;
    parser.feed(decoder.decode(value, { stream: true }));
    if (events >= target)
      return finish(false);
    if (pastDeadline())
      return finish(true);
  }
}

async function readStream(body, EventSourceParserStream) {
  const reader = body.pipeThrough(new TextDecoderStream())
                     .pipeThrough(new EventSourceParserStream())
                     .getReader();

  while (!finished) {
    const { done } = await reader.read();

    if (done)
      break;
    events++;
    if (events >= target)
      return finish(false);
    if ((events & 1023) === 0 && pastDeadline())
      return finish(true);
  }
}

async function main() {
  const { createParser } = await load('eventsource-parser');
  const { EventSourceParserStream } = await load('eventsource-parser/stream');

  start = process.hrtime.bigint();
  if (maxSeconds > 0) {
    deadline = start + BigInt(Math.round(maxSeconds * 1e9));
    // For a stream that stalls rather than flows.
    setTimeout(() => finish(true), maxSeconds * 1000 + 1000).unref();
  }

  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream' },
    cache: 'no-store',
    signal: abort.signal,
  });
  if (!response.ok || response.body === null)
    throw new Error(`the server answered ${response.status}`);
  if (mode === 'feed')
    await readFeed(response.body, createParser);
  else
    await readStream(response.body, EventSourceParserStream);
  if (!finished)
    throw new Error(`the stream ended after ${events} of ${target} events`);
}

main().catch((err) => {
  if (finished)
    return;
  console.error(`eventsource-parser-reader: ${mode}: ${err && err.message}`);
  process.exit(1);
});
