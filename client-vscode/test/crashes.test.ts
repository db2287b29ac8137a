import assert from "node:assert/strict";
import { test } from "node:test";

import { CrashWindow } from "../src/crashes";

test("gives up after `limit` closes inside the window", () => {
  const w = new CrashWindow(3, 1000);
  assert.equal(w.closed(0), false);
  assert.equal(w.closed(100), false);
  assert.equal(w.closed(200), true);
});

test("closes spread out over time keep restarting", () => {
  const w = new CrashWindow(3, 1000);
  assert.equal(w.closed(0), false);
  assert.equal(w.closed(900), false);
  assert.equal(w.closed(2000), false); // the first two are outside the window now
  assert.equal(w.closed(2500), false);
  assert.equal(w.closed(2600), true);
  w.reset();
  assert.equal(w.closed(2700), false);
});
