/**
 * Reading and writing histories and reports as JSON: {@link io.snapline.recovery.io.HistoryJson} (the history file
 * format, documented there and in docs/recovery.md), read and written with Jackson through
 * {@link io.snapline.runtime.json.JsonText}; and
 * rebuilding histories from checkpoint stores: {@link io.snapline.recovery.io.StoreHistory} (a job's store, global
 * checkpoints or local ones) and {@link io.snapline.recovery.io.LocalHistory} (local checkpoints of ranks that
 * checkpoint independently, from a store or from in-memory dependency records).
 */
package io.snapline.recovery.io;
