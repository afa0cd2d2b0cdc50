import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatMessage, JoinRoomResult } from "../src/index.js";
import { RoomTracker } from "../src/roomTracker.js";

const room = "lobby";
const message = (id: number): ChatMessage => ({ id, room, sender: { id: "bob", name: "bob" }, text: `m${id}`, timestamp: new Date(0), recipientId: null });
const result = (history: ChatMessage[], historyTruncated = false): JoinRoomResult => ({ room, members: [], history, historyTruncated });

test("live messages that arrive during a join are merged with the history, in id order, each once", () => {
  const rooms = new RoomTracker();
  rooms.beginJoin(room);

  assert.equal(rooms.live(message(12)), null, "held while joining");
  assert.equal(rooms.live(message(11)), null);
  const delivered = rooms.completeJoin(result([message(10), message(11)]));

  assert.deepEqual(delivered.map((m) => m.id), [10, 11, 12]);
  assert.equal(rooms.live(message(12)), null, "a repeat is dropped");
  assert.equal(rooms.live(message(13))?.id, 13);
  assert.equal(rooms.snapshot(room)?.lastSeenId, 13);
});

test("a re-join asks for what came after the last id seen and drops what was already delivered", () => {
  const rooms = new RoomTracker();
  rooms.beginJoin(room);
  rooms.completeJoin(result([message(1), message(2)]));

  const sinceId = rooms.beginJoin(room);
  const missed = rooms.completeJoin(result([message(2), message(3), message(4)]));

  assert.equal(sinceId, 2);
  assert.deepEqual(missed.map((m) => m.id), [3, 4]);
});

test("a room never seen re-joins from 0, and messages of rooms not joined or left are dropped", () => {
  const rooms = new RoomTracker();
  rooms.beginJoin(room);
  rooms.completeJoin(result([]));

  assert.equal(rooms.beginJoin(room), 0);
  rooms.completeJoin(result([]));
  rooms.forget(room);
  assert.equal(rooms.live(message(5)), null);
  assert.equal(rooms.live({ ...message(6), room: "elsewhere" }), null);
});

test("a failed first join is forgotten, a failed re-join keeps the room and releases what it held", () => {
  const rooms = new RoomTracker();
  rooms.beginJoin(room);
  rooms.abortJoin(room, true);
  assert.equal(rooms.has(room), false);

  rooms.beginJoin(room);
  rooms.completeJoin(result([message(1)]));
  rooms.beginJoin(room);
  rooms.live(message(2));
  const released = rooms.abortJoin(room, false);

  assert.equal(rooms.has(room), true);
  assert.deepEqual(released.map((m) => m.id), [2]);
});

test("only rooms whose join completed are re-joined after a reconnect; a first join still in flight is not", () => {
  const rooms = new RoomTracker();
  rooms.beginJoin(room);
  rooms.completeJoin(result([]));
  rooms.beginJoin("pending");

  assert.deepEqual(rooms.rejoinable, [room]);
  assert.deepEqual(rooms.names.sort(), ["lobby", "pending"]);
});
