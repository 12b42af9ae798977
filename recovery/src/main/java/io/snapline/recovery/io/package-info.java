/**
 * Reading and writing histories and reports as JSON: {@link io.snapline.recovery.io.HistoryJson} (the history file
 * format, documented there and in docs/recovery.md) on top of a small dependency-free JSON reader and writer.
 */
package io.snapline.recovery.io;
